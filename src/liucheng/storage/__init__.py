"""SQLAlchemy storage: tables, migrations, and the repository used inside one transaction."""
