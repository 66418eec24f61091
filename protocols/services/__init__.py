"""Protocol services by topic: types and settings (`types`), check-out/check-in capture (`capture`),
delivery of the PDF and e-mail (`delivery`)."""
