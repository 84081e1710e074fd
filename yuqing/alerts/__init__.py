"""The alerts engine (service layer over the store): analysis cycle, workflow, replay."""
