"""BranchDesk: records of a grassroots party branch, kept offline."""

__version__ = "0.1.0"
APP_NAME = "BranchDesk"
APP_TITLE = "BranchDesk 支部台账"
