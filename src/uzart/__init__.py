"""Uzart: keeps cloud electronic signatures (EDS) alive."""
