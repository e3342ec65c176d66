"""Rendering of controlled documents (quality manual, procedures, matrix, registers) to HTML and PDF.

Other modules build their own documents through :mod:`qms.render.api`.
"""
