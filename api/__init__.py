"""The REST shell: one flask-smorest blueprint per resource, on what ``shell`` shares."""
