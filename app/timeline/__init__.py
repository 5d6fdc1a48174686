"""The animation timeline: keyframe track editing, scrubbing, playback, onion skin, motion import and export."""
