package store

import (
	"context"
	"time"
)

// probeProcess is the process ID of the row Writable writes and removes.
const probeProcess = "readiness-probe"

// Writable is nil while the database takes writes. Once the hold after a
// refused write is over and nothing has committed since (a process that
// seldom writes), it writes a row of its own through p, a process's beat,
// and lets the outcome decide. Every store's Ping asks it.
func (h *WriteHealth) Writable(ctx context.Context, p ProcessStore) error {
	err, probe := h.Err()
	if err == nil || !probe {
		return err
	}
	if perr := p.Beat(ctx, probeProcess, time.Now(), true); perr != nil {
		return err
	}
	// A probe row left behind expires like any process that stopped beating.
	_ = p.Leave(ctx, probeProcess)
	err, _ = h.Err()
	return err
}
