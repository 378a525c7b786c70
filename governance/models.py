"""The API catalog, lifecycle, reviews and deprecations arrive with the governance issue."""
