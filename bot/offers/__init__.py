"""Microsoft's offers read from their own documents: bytes in, a typed `Offer` out.

Pure: no database, no clock (today's date is passed in), no chat SDK. `read.read_document`
is the one entry point every surface uses (Slack files, Teams attachments, `coach offer
import`, pasted lines); docs/offers.md describes the formats, the limits and what is kept.
"""
