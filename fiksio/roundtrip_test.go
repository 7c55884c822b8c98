package fiksio_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
)

// The payloads here are random bytes standing in for the sealed ASiC-E:
// the transport carries the sealed stream as it is and must not change a byte.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	ctx := context.Background()

	payload := make([]byte, 10<<10)
	_, _ = rand.Read(payload)
	got := make(chan *fiksio.Received, 1)
	gotBody := make(chan []byte, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		r, err := m.Payload(ctx)
		if err != nil {
			t.Errorf("Payload: %v", err)
			return fiksio.Retry()
		}
		defer r.Close()
		b, _ := io.ReadAll(r)
		if _, err := bob.Send(ctx, m.Reply("no.ks.fiks.test.svar", bytes.NewReader([]byte("svar")))); err != nil {
			t.Errorf("reply: %v", err)
			return fiksio.Retry()
		}
		got <- m
		gotBody <- b
		return fiksio.Processed()
	})
	replies := make(chan *fiksio.Received, 1)
	receive(t, alice, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		replies <- m
		return fiksio.Processed()
	})

	sent, err := alice.Send(ctx, fiksio.Message{
		Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.melding", TTL: 90 * time.Minute,
		Headers:         map[string]string{"saksnummer": "2026/17", "emoji": "🐟 עברית"},
		KlientMeldingID: "km-1", KlientKorrelasjonsID: "kk-1", Payload: bytes.NewReader(payload),
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent.MottakerKontoID != bob.KontoID() || sent.AvsenderKontoID != alice.KontoID() || sent.TTL != 90*time.Minute {
		t.Errorf("receipt = %+v", sent)
	}
	var m *fiksio.Received
	select {
	case m = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("no message")
	}
	want := map[string]string{"saksnummer": "2026/17", "emoji": "🐟 עברית", fiksio.KlientMeldingID: "km-1", fiksio.KlientKorrelasjonsID: "kk-1"}
	switch {
	case m.MeldingID != sent.MeldingID, m.Type != "no.ks.fiks.test.melding", m.AvsenderKontoID != alice.KontoID(),
		m.MottakerKontoID != bob.KontoID(), m.TTL != 90*time.Minute, m.SvarPaMelding != uuid.Nil, m.Resendt:
		t.Errorf("received %+v", m)
	}
	for k, v := range want {
		if m.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, m.Headers[k], v)
		}
	}
	if b := <-gotBody; !bytes.Equal(b, payload) {
		t.Errorf("payload changed: %d bytes, want %d", len(b), len(payload))
	}
	select {
	case r := <-replies:
		if r.SvarPaMelding != sent.MeldingID || r.Type != "no.ks.fiks.test.svar" || r.KlientKorrelasjonsID() != "kk-1" || r.AvsenderKontoID != bob.KontoID() {
			t.Errorf("reply = %+v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no reply")
	}
}

// TestLargePayload sends 50 MB, which goes through Dokumentlager, and
// compares the bytes that come out by hash, streaming both ways.
func TestLargePayload(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB through the broker's fake; skipped with -short")
	}
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	const size = 50 << 20
	seed := make([]byte, 1<<20)
	_, _ = rand.Read(seed)
	src := func() io.Reader { return io.LimitReader(repeat(seed), size) }
	want := sha256.New()
	_, _ = io.Copy(want, src())

	type result struct {
		sum  []byte
		n    int64
		dlID uuid.UUID
	}
	got := make(chan result, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		r, err := m.Payload(ctx)
		if err != nil {
			t.Errorf("Payload: %v", err)
			return fiksio.Processed()
		}
		defer r.Close()
		h := sha256.New()
		n, err := io.Copy(h, r)
		if err != nil {
			t.Errorf("reading: %v", err)
		}
		got <- result{h.Sum(nil), n, m.DokumentlagerID}
		return fiksio.Processed()
	})
	sent, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.stor", Payload: src()})
	if err != nil {
		t.Fatal(err)
	}
	if sent.DokumentlagerID == uuid.Nil {
		t.Error("a 50 MB payload did not go through Dokumentlager")
	}
	select {
	case r := <-got:
		if r.n != size || !bytes.Equal(r.sum, want.Sum(nil)) || r.dlID != sent.DokumentlagerID {
			t.Errorf("got %d bytes, dokumentlager %s; want %d bytes, the same hash, %s", r.n, r.dlID, size, sent.DokumentlagerID)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no message")
	}
}

type repeater struct {
	b   []byte
	off int
}

func repeat(b []byte) io.Reader { return &repeater{b: b} }

func (r *repeater) Read(p []byte) (int, error) {
	n := copy(p, r.b[r.off:])
	r.off = (r.off + n) % len(r.b)
	return n, nil
}
