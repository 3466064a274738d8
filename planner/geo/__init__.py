"""Where and when: Seoul's districts, travel times between places, and opening hours as time windows."""
