"""Internal tools for the customer support desk."""
