"""REST routes under /api/v1, one module per resource; each route declares its permission."""
