"""Read merchant files, validate them row by row and write the rows they reject."""

from planner.io.read import ReadResult, read_merchants, read_table, reject_path_for, write_rejects
from planner.io.register import parse_register, register_category
from planner.io.spreadsheet import read_spreadsheet_csv, write_spreadsheet_csv
from planner.io.validate import Validated, detect_layout, validate_merchants

__all__ = [
    "ReadResult",
    "Validated",
    "detect_layout",
    "parse_register",
    "read_merchants",
    "read_spreadsheet_csv",
    "read_table",
    "register_category",
    "reject_path_for",
    "validate_merchants",
    "write_rejects",
    "write_spreadsheet_csv",
]
