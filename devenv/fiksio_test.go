package devenv_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/devenv"
	"github.com/grunnmur/grunnmur/fiksio"
	"github.com/grunnmur/grunnmur/fiksio/asice"
	"github.com/grunnmur/grunnmur/internal/testenv"
)

// TestFiksIOWithoutBroker: with no RabbitMQ configured, or one that does
// not answer, every other fake starts, Fiks IO is left out with a reason,
// and no GRUNNMUR_FIKSIO_* variable points at nothing.
func TestFiksIOWithoutBroker(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, tc := range []struct{ broker, reason string }{
		{"", "none configured"},
		{"amqp://guest:s3cret@" + closed + "/", "none reachable at " + closed},
	} {
		env := start(t, devenv.Options{BrokerURL: tc.broker})
		if env.FiksIO != nil {
			t.Fatalf("broker %q: Fiks IO started", tc.broker)
		}
		if !errors.Is(env.FiksIOUnavailable, devenv.ErrNoBroker) || !strings.Contains(env.FiksIOUnavailable.Error(), tc.reason) {
			t.Errorf("broker %q: FiksIOUnavailable = %v, want ErrNoBroker saying %q", tc.broker, env.FiksIOUnavailable, tc.reason)
		}
		if strings.Contains(env.FiksIOUnavailable.Error(), "s3cret") {
			t.Errorf("the broker's password leaks: %v", env.FiksIOUnavailable)
		}
		for _, kv := range env.Environ() {
			if strings.HasPrefix(kv, "GRUNNMUR_FIKSIO_") {
				t.Errorf("broker %q: %s set", tc.broker, kv)
			}
		}
		if _, ok := env.Service("Fiks IO"); ok || len(env.Services) != 10 {
			t.Errorf("broker %q: services %v", tc.broker, env.Services)
		}
		if _, err := env.FiksIOConfig(nil); !errors.Is(err, devenv.ErrNoBroker) {
			t.Errorf("FiksIOConfig: %v", err)
		}
		// The others serve.
		for _, s := range env.Services {
			res, err := http.Get(s.Check)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %s", s.Name, res.Status)
			}
		}
	}
}

// TestFiksIOFromEnviron configures a fiksio.Client from the sandbox's
// GRUNNMUR_FIKSIO_* variables and key files, as a service would, and sends
// the account a sealed file that it receives and opens.
func TestFiksIOFromEnviron(t *testing.T) {
	base := freeRange(t, 10)
	env := start(t, devenv.Options{Addr: base, BrokerURL: testenv.AMQPURL(t)})
	if env.FiksIO == nil {
		t.Fatalf("Fiks IO not started: %v", env.FiksIOUnavailable)
	}
	host, port, _ := net.SplitHostPort(base)
	first, _ := strconv.Atoi(port)
	if got, want := env.Getenv("GRUNNMUR_FIKSIO_BASE_URL"), "http://"+net.JoinHostPort(host, strconv.Itoa(first+8)); got != want {
		t.Errorf("Fiks IO REST at %s, want %s (port +8)", got, want)
	}
	if got, want := env.Getenv("GRUNNMUR_FIKSIO_AMQP_URL"), "amqp://"+net.JoinHostPort(host, strconv.Itoa(first+9))+"/"; got != want {
		t.Errorf("Fiks IO AMQP at %s, want %s (port +9)", got, want)
	}
	for _, name := range []string{"BASE_URL", "AMQP_URL", "KONTO_ID", "INTEGRASJON_ID", "INTEGRASJON_PASSORD",
		"PRIVATE_KEY_FILE", "SIGNING_KEY_FILE", "SIGNING_CERT_FILE"} {
		if env.Getenv("GRUNNMUR_FIKSIO_"+name) == "" {
			t.Errorf("GRUNNMUR_FIKSIO_%s is empty", name)
		}
	}
	s, ok := env.Service("Fiks IO")
	if !ok {
		t.Fatal("Fiks IO not among the services")
	}
	res, err := http.Get(s.Check)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("Fiks IO check: %s", res.Status)
	}

	cfg, err := fiksio.ConfigFromEnv("GRUNNMUR_FIKSIO_", env.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Maskinporten, err = env.MaskinportenSource(nil, fiksio.Scope); err != nil {
		t.Fatal(err)
	}
	key := readPEM(t, env.Getenv("GRUNNMUR_FIKSIO_PRIVATE_KEY_FILE"))
	pk, err := x509.ParsePKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := x509.ParsePKCS8PrivateKey(readPEM(t, env.Getenv("GRUNNMUR_FIKSIO_SIGNING_KEY_FILE")))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(readPEM(t, env.Getenv("GRUNNMUR_FIKSIO_SIGNING_CERT_FILE")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Keys = []crypto.Decrypter{pk.(crypto.Decrypter)}
	cfg.Signer = asice.Signer{Certificate: cert, Key: sk.(crypto.Signer)}
	c, err := fiksio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- c.Receive(ctx, func(ctx context.Context, m *fiksio.Received) fiksio.Result {
			ct, err := m.Open(ctx)
			if err != nil {
				t.Error(err)
				return fiksio.Processed()
			}
			defer ct.Close()
			r, err := ct.Open("hei.txt")
			if err != nil {
				t.Error(err)
				return fiksio.Processed()
			}
			b, _ := io.ReadAll(r)
			r.Close()
			got <- string(b)
			return fiksio.Processed()
		})
	}()
	if _, err := c.SendFiles(ctx, fiksio.Message{Mottaker: uuid.MustParse(env.Credentials.FiksIO.KontoID), Type: "no.ks.fiks.devenv"},
		asice.File{Name: "hei.txt", Content: bytes.NewReader([]byte("hei fra sandkassa"))}); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "hei fra sandkassa" {
			t.Errorf("received %q", s)
		}
	case <-ctx.Done():
		t.Fatal("nothing received")
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Receive: %v", err)
	}
	// Close removes the account's queue and key files.
	files := []string{env.Getenv("GRUNNMUR_FIKSIO_PRIVATE_KEY_FILE"), env.Getenv("GRUNNMUR_FIKSIO_SIGNING_CERT_FILE")}
	if err := env.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Close: %v", f, err)
		}
	}
}

func readPEM(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := pem.Decode(b)
	if p == nil {
		t.Fatalf("%s: no PEM", file)
	}
	return p.Bytes
}
