"""HTTP layer: FastAPI routes that parse, call the model and shape responses."""
