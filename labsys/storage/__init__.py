"""Files kept beside the database: plate photos, by content hash."""
