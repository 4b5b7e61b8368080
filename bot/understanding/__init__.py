"""Reading what people say about a deal: typed values, facts and contacts from plain sentences."""
