package fiksio_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// The two benchmarks move the same 10 KB messages through the same broker
// and the same kind of queue (quorum, persistent, publisher confirms,
// manual acks, prefetch 10), eight senders at once, and report messages/s:
//
//	go test ./fiksio -run X -bench 'SendReceive10KB|BareAMQP10KB'
//
// BenchmarkSendReceive10KB goes the whole way of a Fiks IO message: the
// ASiC-E built, signed and encrypted (SendFiles), the HTTP multipart send to
// the fake, its publish, the SASL proxy, strict header parsing, and the
// container decrypted and verified (Received.Open). BenchmarkBareAMQP10KB is amqp091-go alone.
//
// Each benchmark also reports the CPU its process spent per message. A
// sealed message costs two RSA-2048 private-key operations (signing the
// manifest, unwrapping the content key), about 1 ms of CPU each on the
// project's machines, where the bare publish and consume cost about 0.12 ms:
// on two cores the crypto alone bounds the sealed path near 1000 msgs/s,
// before the zip, AES, digests and the hops. The keys are precomputed (New
// sees to it) and the certificate is parsed once (the katalog cache); a
// small container is decrypted in memory, not in a temporary file, and its
// entries are deflated only when that pays; the senders and Workers spread
// the rest over the cores.
const benchSenders = 8

func payload10KB() []byte {
	b := make([]byte, 10<<10)
	_, _ = rand.Read(b)
	return b
}

// drive sends b.N messages of size bytes from benchSenders goroutines,
// waits until the receiver has counted them all, and reports msgs/s.
func drive(b *testing.B, size int, received *atomic.Int64, send func() error) {
	b.SetBytes(int64(size))
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	defer func() {
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		// The CPU this process spent per message (senders, receiver, and in
		// BenchmarkSendReceive* the fake too; RabbitMQ's own is not counted):
		// on a shared machine msgs/s says how busy the others were, this
		// says what a message costs.
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/msg")
	}()
	n := b.N
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchSenders)
	for range benchSenders {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := send(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	deadline := time.Now().Add(2 * time.Minute)
	for received.Load() < int64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("received %d of %d", received.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkSendReceive10KB(b *testing.B) {
	e := setup(b, nil)
	// Eight senders need eight kept-alive connections; net/http keeps two
	// per host by default and would open a new one for most sends.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchSenders}}
	alice, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.HTTPClient = hc; c.Signer = aliceSigner(b) })
	testCert(b)
	bob, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) {
		c.Keys = []crypto.Decrypter{certKey}
		c.Workers = 4 // decryption is CPU work: use the cores
	})
	var received atomic.Int64
	receive(b, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		c, err := m.Open(ctx)
		if err != nil {
			b.Error(err)
			return fiksio.Processed()
		}
		defer c.Close()
		r, err := c.Open(c.Files[0].Name)
		if err == nil {
			if n, _ := io.Copy(io.Discard, r); n == 10<<10 {
				received.Add(1)
			}
			r.Close()
		}
		return fiksio.Processed()
	})
	body := payload10KB()
	ctx := context.Background()
	drive(b, 10<<10, &received, func() error {
		_, err := alice.SendFiles(ctx, fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.bench"},
			asice.File{Name: "melding.bin", Content: bytes.NewReader(body)})
		return err
	})
}

// BenchmarkSendReceiveSealed10KB is the transport alone: a payload sealed
// once before the loop is sent and received as it is, so that the cost of
// the encryption and the cost of the hops can be told apart.
func BenchmarkSendReceiveSealed10KB(b *testing.B) {
	e := setup(b, nil)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchSenders}}
	alice, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.HTTPClient = hc })
	bob, _ := e.account(func(_ *fiksiotest.Account, c *fiksio.Config) { c.Workers = 4 })
	var sealed bytes.Buffer
	if err := asice.Seal(&sealed, testCert(b), aliceSigner(b), asice.File{Name: "melding.bin", Content: bytes.NewReader(payload10KB())}); err != nil {
		b.Fatal(err)
	}
	var received atomic.Int64
	receive(b, bob, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
		if r, err := m.Payload(ctx); err == nil {
			if n, _ := io.Copy(io.Discard, r); n == int64(sealed.Len()) {
				received.Add(1)
			}
			r.Close()
		}
		return fiksio.Processed()
	})
	ctx := context.Background()
	drive(b, 10<<10, &received, func() error {
		_, err := alice.Send(ctx, fiksio.Message{Mottaker: bob.KontoID(), Type: "no.ks.fiks.bench", Payload: bytes.NewReader(sealed.Bytes())})
		return err
	})
}

func BenchmarkBareAMQP10KB(b *testing.B) {
	conn, err := amqp.Dial(testenv.AMQPURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	queue := "fiksio-bench." + uuid.NewString()
	pub, err := conn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pub.QueueDeclare(queue, true, false, false, false, amqp.Table{"x-queue-type": "quorum", "x-delivery-limit": fiksiotest.MaxDeliveries - 1}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if ch, err := conn.Channel(); err == nil {
			_, _ = ch.QueueDelete(queue, false, false, false)
		}
	})
	if err := pub.Confirm(false); err != nil {
		b.Fatal(err)
	}
	sub, err := conn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	_ = sub.Qos(10, 0, false)
	deliveries, err := sub.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	var received atomic.Int64
	go func() {
		for d := range deliveries {
			if len(d.Body) > 0 {
				received.Add(1)
			}
			_ = d.Ack(false)
		}
	}()
	body := payload10KB()
	ctx := context.Background()
	drive(b, 10<<10, &received, func() error {
		dc, err := pub.PublishWithDeferredConfirmWithContext(ctx, "", queue, false, false, amqp.Publishing{
			DeliveryMode: amqp.Persistent, Body: body,
			Headers: amqp.Table{"melding-id": uuid.NewString(), "type": "no.ks.fiks.bench", "avsender-id": uuid.NewString()},
		})
		if err != nil {
			return err
		}
		_, err = dc.WaitContext(ctx)
		return err
	})
}
