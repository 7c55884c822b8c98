package events_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/grunnmur/grunnmur/events"
	"github.com/grunnmur/grunnmur/events/eventstest"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// runRelay runs r until the test ends.
func runRelay(t *testing.T, r *events.Relay, every time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx, every) }()
	t.Cleanup(func() { cancel(); <-done })
}

func TestRelayToJetStream(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 0)
	m := &events.Memory{}
	var want []events.Event
	for i := range 300 {
		e := eventstest.Event(t, fmt.Sprintf("thing.%d", i%17), i) // a dot in the id: escaped
		want = append(want, e)
		m.Append(e)
	}
	runRelay(t, &events.Relay{Outbox: m, Publisher: &events.JetStream{Conn: nc, Prefix: stream.Prefix}, Batch: 64}, 20*time.Millisecond)
	c := &eventstest.Collector{}
	c.Consume(t, nc, stream)
	c.WaitFor(t, len(want), time.Minute)
	eventstest.CheckOnceInOrder(t, want, c.All())

	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(context.Background(), stream.Name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.GetMsg(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Subject != stream.Prefix+".eventstest.thing.thing%2E0" || raw.Header.Get("Nats-Msg-Id") != want[0].ID ||
		raw.Header.Get("Content-Type") != "application/cloudevents+json" {
		t.Errorf("message 1: subject %s, headers %v", raw.Subject, raw.Header)
	}
	if e, err := events.Parse(raw.Data); err != nil || e.ID != want[0].ID {
		t.Errorf("message 1 is %v, %v", e, err)
	}
	if l, err := m.Lag(context.Background()); err != nil || l.Pending != 0 {
		t.Errorf("Lag after relaying = %+v, %v", l, err)
	}
}

// proxy is a TCP proxy to NATS that a test can cut: while down it closes
// every connection, open and new.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); s.Close() }()
		go func() { _, _ = io.Copy(c, s); c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.cut()
	}
}

// TestServerGoesAway: the relay's connection to NATS is cut for 5 s while
// events are appended. The relay backs off, resumes, and every event arrives
// once, in order per subject.
func TestServerGoesAway(t *testing.T) {
	nc := eventstest.Connect(t)
	stream := eventstest.Stream(t, nc, 0)
	p := newProxy(t, strings.TrimPrefix(testenv.NATSURL(t), "nats://"))
	relayConn := eventstest.Connect(t, "nats://"+p.ln.Addr().String())
	m := &events.Memory{}
	relay := &events.Relay{Outbox: m, Publisher: &events.JetStream{Conn: relayConn, Prefix: stream.Prefix, AckTimeout: time.Second},
		Batch: 32, MaxBackoff: 2 * time.Second}
	runRelay(t, relay, 50*time.Millisecond)
	c := &eventstest.Collector{}
	c.Consume(t, nc, stream)

	var want []events.Event
	add := func(n int, gap time.Duration) {
		for range n {
			e := eventstest.Event(t, fmt.Sprintf("s%d", len(want)%11), len(want))
			want = append(want, e)
			m.Append(e)
			time.Sleep(gap)
		}
	}
	add(200, time.Millisecond)
	c.WaitFor(t, len(want), time.Minute)
	p.setDown(true)
	add(250, 20*time.Millisecond) // 5 s of appends while the server is away
	after := relay.Stats()
	p.setDown(false)
	add(100, time.Millisecond)
	c.WaitFor(t, len(want), 2*time.Minute)
	eventstest.CheckOnceInOrder(t, want, c.Unique())
	if after.Failures == 0 {
		t.Errorf("no pass failed while the server was away: %+v", after)
	}
}
