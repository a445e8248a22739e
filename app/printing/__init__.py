"""Printed documents (reportlab): visit summary, prescription, invoice, chart, immunization
record and lab report, on the clinic letterhead. Call :func:`print_document` (PDF bytes) or
:func:`print_to_file`; both audit the print as a disclosure."""
from app.printing.service import KINDS, PrintedDocument, print_document, print_to_file

__all__ = ["KINDS", "PrintedDocument", "print_document", "print_to_file"]
