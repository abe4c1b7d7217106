"""Table models: QAbstractTableModel subclasses fed with rows, no SQL."""
