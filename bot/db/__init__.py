"""Deal memory in SQL: SQLAlchemy 2 models, engines, migrations."""
