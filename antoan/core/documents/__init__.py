"""Documents the system writes in official layouts (Decree 30/2020/NĐ-CP)."""
