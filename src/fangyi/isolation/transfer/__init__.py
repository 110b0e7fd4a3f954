"""Transfer (转运): batches that fetch people waiting to be placed to a site or a hospital."""
