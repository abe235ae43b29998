"""UWS 1.1 asynchronous jobs: storage, documents, workers, HTTP handlers."""
