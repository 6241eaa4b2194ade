"""Small helpers any app may use: no models, and no import of any app (below every one)."""
