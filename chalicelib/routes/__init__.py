"""The API's blueprints, one per area; ``app.py`` registers them."""
