package fiksio_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/secret"
)

// Failed sends the protocol's error reply and then acks: the message is
// not delivered again.
func TestFailedRepliesThenAcks(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	var deliveries atomic.Int32
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		deliveries.Add(1)
		return fiksio.Failed(fiksio.Message{Type: "no.ks.fiks.arkiv.v1.feilmelding.serverfeil", Payload: bytes.NewReader([]byte("feil"))})
	})
	replies := make(chan *fiksio.Received, 2)
	receive(t, alice, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		replies <- m
		return fiksio.Processed()
	})
	sent, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett", KlientKorrelasjonsID: "kk-f"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-replies:
		if r.Type != "no.ks.fiks.arkiv.v1.feilmelding.serverfeil" || r.SvarPaMelding != sent.MeldingID || r.KlientKorrelasjonsID() != "kk-f" || !r.HasPayload() {
			t.Errorf("reply = %+v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no error reply")
	}
	// A later message arriving proves the queue moved on; the failed one
	// was acked, not redelivered.
	if _, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.neste"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second message", 20*time.Second, func() bool { return deliveries.Load() >= 2 })
	<-replies
	if n := deliveries.Load(); n != 2 {
		t.Errorf("%d deliveries of two messages", n)
	}
}

// At shutdown a message in hand is finished and acked, and Receive waits
// for it.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	inHandler := make(chan struct{})
	release := make(chan struct{})
	var handled atomic.Int32
	stop := receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		if handled.Load() == 0 {
			close(inHandler)
			<-release
		}
		if ctx.Err() != nil {
			t.Error("the handler's context ended at shutdown")
		}
		handled.Add(1)
		return fiksio.Processed()
	})
	if _, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.treg"}); err != nil {
		t.Fatal(err)
	}
	<-inHandler
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case <-stopped:
		t.Fatal("Receive returned with a message in hand")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if handled.Load() != 1 {
		t.Fatalf("handled %d", handled.Load())
	}
	// Acked: a new consumer gets nothing more.
	got := make(chan *fiksio.Received, 1)
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result { got <- m; return fiksio.Processed() })
	if _, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.ny"}); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m.Type != "no.ks.fiks.test.ny" {
		t.Errorf("got %s again after shutdown", m.Type)
	}
}

// A slow link between broker and consumer delays messages but loses none.
func TestSlowDelivery(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	alice, _ := e.account(nil)
	bob, _ := e.account(nil)
	e.fake.SetDeliveryDelay(20 * time.Millisecond)
	var n atomic.Int32
	receive(t, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result { n.Add(1); return fiksio.Processed() })
	for i := range 10 {
		if _, err := alice.Send(context.Background(), fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.test.treg", KlientMeldingID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "ten messages", 60*time.Second, func() bool { return n.Load() == 10 })
}

// No password or token reaches a printed Config or a login error.
func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	var cfg fiksio.Config
	testCert(t)
	signer := aliceSigner(t)
	c, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) {
		c.IntegrasjonPassord = secret.New("hemmelig-passord")
		c.Keys = []crypto.Decrypter{certKey}
		c.Signer = signer
		cfg = *c
	})
	s := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg)
	for _, secret := range []string{"hemmelig-passord", certKey.D.String(), signer.Key.(*rsa.PrivateKey).D.String()} {
		if strings.Contains(s, secret) {
			t.Errorf("a secret printed: %s", s)
		}
	}
	err := c.Receive(context.Background(), func(context.Context, *fiksio.Received) fiksio.Result { return fiksio.Processed() })
	if err == nil || strings.Contains(fmt.Sprintf("%v %+v", err, err), "hemmelig-passord") || strings.Contains(err.Error(), "eyJ") {
		t.Errorf("login error = %v", err)
	}
}
