"""Face mode: a portrait's 68 landmarks on the editor's canvas, re-rendered with the published face network."""
