"""rubricdsl: a declarative language for evaluation rubrics and its compiler."""

__version__ = "0.1.0"
