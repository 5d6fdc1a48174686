"""Animation: keyframe tracks and their interpolation, motion import, smoothing and denoising, sequence rendering.

Modules: keyframes (Keyframe, Track), interpolate (the curves), smoothing (One-Euro, Savitzky–Golay),
motion_net (the published Motion Extraction Network path), motion_import (video / OpenPose folder),
retarget (fit to the photo's person, thin into keyframes), sequence (render into a streaming writer).
Import the submodules directly; this package imports nothing heavy on its own.
"""
