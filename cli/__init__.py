"""The ``justicia`` operator CLI: the same services as the API, from a terminal."""
