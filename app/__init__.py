"""The desktop editor (PySide6): a thin layer over core/ that never holds image or pose logic of its own."""
