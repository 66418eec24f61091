"""The REST API (DRF): `/api/v1/o/<org_slug>/...`, tenancy by `rentoffice.tenancy` and `rentoffice.access`."""
