"""Plates in the database: layout, photos, accepted analyses and identification."""
