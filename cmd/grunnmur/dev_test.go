package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grunnmur/grunnmur/ident"
	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/internal/testlog"
)

// devRun runs `grunnmur dev` in-process until stop is called; stdout arrives
// through a pipe, so the test reads what the command printed while it runs.
type devRun struct {
	out    *io.PipeReader
	errb   *testlog.Logs
	code   chan int
	cancel context.CancelFunc
}

func startDev(t *testing.T, args ...string) *devRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	d := &devRun{out: pr, errb: &testlog.Logs{}, code: make(chan int, 1), cancel: cancel}
	go func() {
		code := runDev(ctx, stdio{in: strings.NewReader(""), out: pw, err: d.errb}, args)
		pw.Close()
		d.code <- code
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, pr)
	})
	return d
}

// stop ends the run as SIGINT would, and returns the exit code.
func (d *devRun) stop(t *testing.T) int {
	t.Helper()
	d.cancel()
	go io.Copy(io.Discard, d.out)
	select {
	case c := <-d.code:
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("grunnmur dev did not stop")
		return -1
	}
}

// table reads the printed table up to its last export line.
func (d *devRun) table() string {
	var out strings.Builder
	sc := bufio.NewScanner(d.out)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "export GRUNNMUR_VIPPS_SUBSCRIPTION_KEY=") { // the last, sorted
			break
		}
	}
	return out.String()
}

func TestDevJSON(t *testing.T) {
	d := startDev(t, "-addr", "127.0.0.1:0", "-json", "-amqp", "")
	var got devJSON
	if err := json.NewDecoder(d.out).Decode(&got); err != nil {
		t.Fatalf("decoding -json output: %v (stderr %q)", err, d.errb.String())
	}
	if len(got.Services) != 10 {
		t.Fatalf("%d services, want 10", len(got.Services))
	}
	for _, s := range got.Services {
		resp, err := http.Get(s.Check)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s: %d", s.Name, s.Check, resp.StatusCode)
		}
		if got.Env[s.Env] != s.URL {
			t.Errorf("%s: env %s=%q, want %q", s.Name, s.Env, got.Env[s.Env], s.URL)
		}
	}
	// The OpenID discovery document names the issuer printed.
	var meta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	resp, err := http.Get(got.Credentials.IDPorten.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if meta.Issuer != got.Env["GRUNNMUR_IDPORTEN_ISSUER"] || meta.TokenEndpoint == "" {
		t.Errorf("discovery %+v, env issuer %q", meta, got.Env["GRUNNMUR_IDPORTEN_ISSUER"])
	}
	if got.Credentials.IDPorten.ClientSecret == "" || got.Env["GRUNNMUR_IDPORTEN_CLIENT_SECRET"] != got.Credentials.IDPorten.ClientSecret {
		t.Error("ID-porten client secret missing from credentials or env")
	}
	var officers int
	for _, u := range got.Users {
		f, err := ident.ParseFodselsnummer(u.PID)
		if err != nil || !f.Synthetic() {
			t.Errorf("user %s: pid %q is not a synthetic number (%v)", u.Name, u.PID, err)
		}
		if u.Role == "officer" {
			officers++
			if got.Env["GRUNNMUR_OFFICERS"] != u.PID {
				t.Errorf("GRUNNMUR_OFFICERS %q, officer %q", got.Env["GRUNNMUR_OFFICERS"], u.PID)
			}
		}
	}
	if len(got.Users) < 5 || officers != 1 {
		t.Errorf("%d users, %d officers", len(got.Users), officers)
	}
	if code := d.stop(t); code != exitOK {
		t.Errorf("exit %d after stop, stderr %q", code, d.errb.String())
	}
	if _, err := http.Get(got.Services[3].Check); err == nil {
		t.Error("Vipps still answers after the command stopped")
	}
}

func TestDevTable(t *testing.T) {
	d := startDev(t, "-port", "0", "-amqp", "")
	text := d.table()
	for _, want := range []string{
		"SERVICE", "ID-porten", "Ansattporten", "Maskinporten", "Vipps", "SvarUT", "Enhetsregisteret",
		"Folkeregisteret", "KRR", "Kartverket adresser", "Sigrid Haugland", "Siri Saksbehandler",
		"client_id grunnmur-dev", "export GRUNNMUR_IDPORTEN_ISSUER=http://127.0.0.1:", "export GRUNNMUR_MASKINPORTEN_KEY_FILE=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, ":9000") {
		t.Error("-port 0 still used 9000")
	}
	// The fakes' own credentials are printed in the clear, on purpose: they
	// open nothing else. A redacted value here would be useless to the reader.
	for _, v := range []struct{ env, label string }{
		{"GRUNNMUR_IDPORTEN_CLIENT_SECRET", "client_secret "},
		{"GRUNNMUR_VIPPS_SUBSCRIPTION_KEY", "subscription key "},
		{"GRUNNMUR_SVARUT_INTEGRASJON_PASSORD", "passord "},
	} {
		_, rest, ok := strings.Cut(text, "export "+v.env+"=")
		value, _, _ := strings.Cut(rest, "\n")
		if !ok || value == "" || strings.Contains(value, "REDACTED") || !strings.Contains(text, v.label+value) {
			t.Errorf("%s: the table does not show the value it exports (%q)", v.env, value)
		}
	}
	if code := d.stop(t); code != exitOK {
		t.Errorf("exit %d, stderr %q", code, d.errb.String())
	}
	if !strings.Contains(d.errb.String(), "stopped") {
		t.Errorf("stderr %q", d.errb.String())
	}
}

// TestDevSIGTERM runs the real entry point and stops it with SIGTERM.
func TestDevSIGTERM(t *testing.T) {
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	var errb testlog.Logs
	go func() {
		code <- run(stdio{in: strings.NewReader(""), out: pw, err: &errb}, []string{"dev", "-addr", "127.0.0.1:0", "-json", "-amqp", ""})
		pw.Close()
	}()
	var got devJSON
	if err := json.NewDecoder(pr).Decode(&got); err != nil {
		t.Fatalf("%v (stderr %q)", err, errb.String())
	}
	go io.Copy(io.Discard, pr)
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("exit %d after SIGTERM, stderr %q", c, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("grunnmur dev ignored SIGTERM")
	}
}

func TestDevPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, out, errs := runCLI(t, "dev", "-addr", ln.Addr().String())
	if code != exitFail || out != "" || !strings.Contains(errs, ln.Addr().String()) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestDevUsage(t *testing.T) {
	code, out, _ := runCLI(t, "dev", "-h")
	if code != exitOK || !strings.Contains(out, "usage: grunnmur dev") || !strings.Contains(out, "-json") {
		t.Errorf("-h: exit %d, stdout %q", code, out)
	}
	for _, args := range [][]string{
		{"dev", "-nosuchflag"},
		{"dev", "extra"},
		{"dev", "-app", "ftp://x"},
		{"dev", "-addr", "nonsense", "-port", "9000"},
	} {
		if code, _, errs := runCLI(t, args...); code != exitUsage || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	if code, _, errs := runCLI(t, "dev", "-addr", "127.0.0.1:65533"); code != exitFail || errs == "" {
		t.Errorf("port range beyond 65535: exit %d, stderr %q", code, errs)
	}
}

// TestDevFiksIO runs the Fiks IO fake on the test broker: the table lists
// it, and every GRUNNMUR_FIKSIO_* variable of DESIGN.md is exported.
func TestDevFiksIO(t *testing.T) {
	d := startDev(t, "-port", "0", "-amqp", testenv.AMQPURL(t))
	text := d.table()
	for _, name := range []string{"BASE_URL", "AMQP_URL", "KONTO_ID", "INTEGRASJON_ID", "INTEGRASJON_PASSORD",
		"PRIVATE_KEY_FILE", "SIGNING_KEY_FILE", "SIGNING_CERT_FILE"} {
		_, rest, ok := strings.Cut(text, "export GRUNNMUR_FIKSIO_"+name+"=")
		if value, _, _ := strings.Cut(rest, "\n"); !ok || value == "" {
			t.Errorf("GRUNNMUR_FIKSIO_%s not exported:\n%s", name, text)
		}
	}
	if !strings.Contains(text, "every fake is running") || !strings.Contains(text, "Fiks IO  ") {
		t.Errorf("the table does not list Fiks IO:\n%s", text)
	}
	if code := d.stop(t); code != exitOK {
		t.Errorf("exit %d, stderr %q", code, d.errb.String())
	}
	if strings.Contains(d.errb.String(), "not started") {
		t.Errorf("stderr %q", d.errb.String())
	}
}

// TestDevNoBroker: with no RabbitMQ where -amqp points, the other fakes
// run, no GRUNNMUR_FIKSIO_* variable is exported and one stderr line says why.
func TestDevNoBroker(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	d := startDev(t, "-addr", "127.0.0.1:0", "-json", "-amqp", "amqp://guest:guest@"+closed+"/")
	var got devJSON
	if err := json.NewDecoder(d.out).Decode(&got); err != nil {
		t.Fatalf("decoding -json output: %v (stderr %q)", err, d.errb.String())
	}
	if len(got.Services) != 10 || got.NotStarted["Fiks IO"] == "" {
		t.Errorf("%d services, not started %v", len(got.Services), got.NotStarted)
	}
	for k := range got.Env {
		if strings.HasPrefix(k, "GRUNNMUR_FIKSIO_") {
			t.Errorf("%s exported without Fiks IO", k)
		}
	}
	if code := d.stop(t); code != exitOK {
		t.Errorf("exit %d, stderr %q", code, d.errb.String())
	}
	var lines []string
	for _, l := range strings.Split(d.errb.String(), "\n") {
		if strings.Contains(l, "Fiks IO") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "not started") || !strings.Contains(lines[0], closed) {
		t.Errorf("stderr lines about Fiks IO: %q", lines)
	}
}
