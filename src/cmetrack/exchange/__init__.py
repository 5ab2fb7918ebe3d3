"""Authority-to-authority exchange: hand-overs and CME notifications sent to the receiving
authority's own cmetrack through its API (queued, retried, signed), and replies sent back."""
