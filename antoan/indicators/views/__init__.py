"""Pages of the indicators app."""
