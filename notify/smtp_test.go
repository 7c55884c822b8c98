package notify_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/grunnmur/grunnmur/internal/testenv"
	"github.com/grunnmur/grunnmur/notify"
	"github.com/grunnmur/grunnmur/notify/notifytest"
	"github.com/grunnmur/grunnmur/secret"
)

// mailpit is the HTTP API of a running Mailpit.
type mailpit struct {
	t   *testing.T
	api string
}

type mpAddress struct{ Name, Address string }

type mpMessage struct {
	ID, MessageID, Subject, Text, HTML string
	From                               mpAddress
	To, ReplyTo                        []mpAddress
}

func (m mailpit) get(path string, v any) {
	m.t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("GET %s: %s: %s", path, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		m.t.Fatalf("GET %s: %v", path, err)
	}
}

// byMessageID returns the messages Mailpit holds with Message-ID id.
func (m mailpit) byMessageID(id string) []mpMessage {
	m.t.Helper()
	var list struct{ Messages []mpMessage }
	m.get("/api/v1/search?limit=50&query="+url.QueryEscape("message-id:"+id), &list)
	var out []mpMessage
	for _, s := range list.Messages {
		if s.MessageID == id {
			var full mpMessage
			m.get("/api/v1/message/"+s.ID, &full)
			out = append(out, full)
		}
	}
	return out
}

func (m mailpit) headers(id string) map[string][]string {
	m.t.Helper()
	var h map[string][]string
	m.get("/api/v1/message/"+id+"/headers", &h)
	return h
}

// startMailpit runs a Mailpit of its own on loopback ports, for the TLS and
// fault tests, and stops it when the test ends.
func startMailpit(t *testing.T, args ...string) (smtpPort int, api string) {
	bin := testenv.MailpitBinary(t)
	smtpPort, httpPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, append([]string{"-q", "-s", fmt.Sprint("127.0.0.1:", smtpPort), "-l", fmt.Sprint("127.0.0.1:", httpPort),
		"-d", filepath.Join(t.TempDir(), "mailpit.db"), "--smtp-disable-rdns", "--disable-version-check"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("mailpit's log:\n%s", out.String())
		}
	})
	api = fmt.Sprint("http://127.0.0.1:", httpPort)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(api + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", fmt.Sprint("127.0.0.1:", smtpPort)); err == nil {
				c.Close()
				return smtpPort, api
			}
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("mailpit did not start: %v", err)
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func uniqueKey(t *testing.T) string {
	return fmt.Sprintf("%s/%d", t.Name(), time.Now().UnixNano())
}

// TestSMTPMailpit sends a rendered template through the SMTP provider to the
// shared Mailpit and reads it back: headers, both MIME parts, æøå in subject
// and body, the reply-to and the Message-ID of the key.
func TestSMTPMailpit(t *testing.T) {
	smtpURL, api := testenv.Mailpit(t)
	cfg, err := notify.SMTPConfigFromURL(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.From, cfg.FromName = "postmottak@grunnmur.test", "Bærum kommune"
	p, err := notify.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := notify.NewTemplates(receipt())
	if err != nil {
		t.Fatal(err)
	}
	r, err := ts.Render("kvittering", "nn", map[string]string{"navn": "Åse Ærø <b>Øvrebø</b>", "sak": "2026/17 ✅"})
	if err != nil {
		t.Fatal(err)
	}
	key := uniqueKey(t)
	s, err := notify.New(notify.Config{Email: p})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Message(key, notify.NewAddress("aase.oevreboe@example.no"))
	m.ReplyTo = notify.NewAddress("saksbehandler@baerum.example.no")
	rec, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != notify.Delivered || rec.ProviderID != p.MessageID(key) {
		t.Fatalf("%s %q: %s", rec.Status, rec.ProviderID, rec.Reason)
	}
	mp := mailpit{t: t, api: api}
	got := mp.byMessageID(p.MessageID(key))
	if len(got) != 1 {
		t.Fatalf("Mailpit holds %d messages with the Message-ID, want 1", len(got))
	}
	g := got[0]
	if g.Subject != "Vi har motteke søknaden 2026/17 ✅" {
		t.Errorf("subject %q", g.Subject)
	}
	if g.From != (mpAddress{"Bærum kommune", "postmottak@grunnmur.test"}) || len(g.To) != 1 || g.To[0].Address != "aase.oevreboe@example.no" {
		t.Errorf("from %v to %v", g.From, g.To)
	}
	if len(g.ReplyTo) != 1 || g.ReplyTo[0].Address != "saksbehandler@baerum.example.no" {
		t.Errorf("reply-to %v", g.ReplyTo)
	}
	if !strings.Contains(g.Text, "Hei Åse Ærø <b>Øvrebø</b>!") || !strings.Contains(g.Text, "Helsing kommunen") {
		t.Errorf("text part %q", g.Text)
	}
	if !strings.Contains(g.HTML, "Hei Åse Ærø &lt;b&gt;Øvrebø&lt;/b&gt;!") || !strings.Contains(g.HTML, `<html lang="nn">`) {
		t.Errorf("HTML part %q", g.HTML)
	}
	h := mp.headers(g.ID)
	for name, want := range map[string]string{
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
		"Mime-Version":             "1.0",
		"Message-Id":               "<" + p.MessageID(key) + ">",
	} {
		if v := h[name]; len(v) != 1 || v[0] != want {
			t.Errorf("%s: %q, want %q", name, v, want)
		}
	}
	if ct := strings.Join(h["Content-Type"], ""); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type %q", ct)
	}
	if len(h["Date"]) != 1 {
		t.Errorf("no Date")
	}
	if strings.Contains(p.MessageID(key), "TestSMTP") {
		t.Errorf("the Message-ID shows the key")
	}
}

// TestSMTPTLS: STARTTLS with authentication, and implicit TLS, each against
// a Mailpit that requires it; a wrong password and a plain connection are
// refused.
func TestSMTPTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	auth := filepath.Join(t.TempDir(), "auth")
	if err := os.WriteFile(auth, []byte("kommune:hemmelig-passord\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsArgs := []string{"--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-auth-file", auth}
	startPort, startAPI := startMailpit(t, append(tlsArgs, "--smtp-require-starttls")...)
	implicitPort, implicitAPI := startMailpit(t, append(tlsArgs, "--smtp-require-tls")...)
	ctx := context.Background()
	send := func(cfg notify.SMTPConfig) (*notify.SMTP, string, error) {
		cfg.Host, cfg.From, cfg.TLSConfig = "127.0.0.1", "postmottak@grunnmur.test", &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
		p, err := notify.NewSMTP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		key := uniqueKey(t)
		_, err = p.SendEmail(ctx, &notify.OutgoingEmail{Key: key, To: notify.NewAddress("kari@example.no"), Subject: "Hei på deg", Text: "Blåbær"})
		return p, key, err
	}
	for _, tc := range []struct {
		name string
		cfg  notify.SMTPConfig
		api  string
	}{
		{"STARTTLS", notify.SMTPConfig{Port: startPort, Username: "kommune", Password: secret.New("hemmelig-passord")}, startAPI},
		{"implicit TLS", notify.SMTPConfig{Port: implicitPort, TLS: notify.ImplicitTLS, Username: "kommune", Password: secret.New("hemmelig-passord")}, implicitAPI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, key, err := send(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := mailpit{t: t, api: tc.api}.byMessageID(p.MessageID(key))
			if len(got) != 1 || got[0].Subject != "Hei på deg" || strings.TrimSpace(got[0].Text) != "Blåbær" {
				t.Fatalf("%+v", got)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		_, _, err := send(notify.SMTPConfig{Port: startPort, Username: "kommune", Password: secret.New("feil-passord-123")})
		if err == nil || strings.Contains(err.Error(), "feil-passord-123") || strings.Contains(err.Error(), "kari@") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no TLS to a STARTTLS server", func(t *testing.T) {
		_, _, err := send(notify.SMTPConfig{Port: startPort, TLS: notify.NoTLS, Username: "kommune", Password: secret.New("hemmelig-passord")})
		if err == nil {
			t.Fatal("sent in the clear")
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		p, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: startPort, From: "a@grunnmur.test"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.SendEmail(ctx, &notify.OutgoingEmail{Key: "k", To: notify.NewAddress("kari@example.no"), Subject: "s", Text: "t"})
		if !errors.Is(err, notify.ErrTemporary) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestSMTPFailures: Mailpit's chaos mode answers RCPT TO with 451 and then
// 550; the first is temporary and tried again, the second permanent. The
// errors do not show the address.
func TestSMTPFailures(t *testing.T) {
	port, api := startMailpit(t, "--enable-chaos", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	chaos := func(code int) {
		body := fmt.Sprintf(`{"Recipient":{"ErrorCode":%d,"Probability":100}}`, code)
		req, _ := http.NewRequest(http.MethodPut, api+"/api/v1/chaos", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("chaos: %s", resp.Status)
		}
	}
	p, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: notify.NoTLS, From: "postmottak@grunnmur.test"})
	if err != nil {
		t.Fatal(err)
	}
	c := newClock("2026-03-29T12:00:00+02:00")
	s, _ := notify.New(notify.Config{Email: p, Now: c.now})
	ctx := context.Background()
	key := uniqueKey(t)
	chaos(451)
	r, err := s.Send(ctx, notify.Message{Key: key, Channel: notify.Email, To: notify.NewAddress("ola.hansen@example.no"), Subject: "s", Text: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != notify.FailedTemporary || !strings.Contains(r.Reason, "451") || strings.Contains(r.Reason, "ola.hansen") {
		t.Fatalf("%s: %q", r.Status, r.Reason)
	}
	chaos(550)
	c.add(time.Hour)
	s.RunOnce(ctx)
	r, _ = s.Get(ctx, key)
	if r.Status != notify.FailedPermanent || !strings.Contains(r.Reason, "550") || strings.Contains(r.Reason, "ola.hansen") {
		t.Fatalf("%s: %q", r.Status, r.Reason)
	}
	chaos(450) // temporary again, but the record is final
	c.add(time.Hour)
	if n, _ := s.SendDue(ctx); n != 0 {
		t.Fatal("a permanent failure was tried again")
	}
	if got := (mailpit{t: t, api: api}).byMessageID(p.MessageID(key)); len(got) != 0 {
		t.Fatalf("Mailpit holds %d messages", len(got))
	}
}

func TestSMTPConfig(t *testing.T) {
	for raw, want := range map[string]notify.SMTPConfig{
		"smtp://u:p%40ss@smtp.kommune.no:587?from=post@kommune.no&name=Kommunen": {Host: "smtp.kommune.no", Port: 587, Username: "u", From: "post@kommune.no", FromName: "Kommunen"},
		"smtps://smtp.kommune.no?from=post@kommune.no":                           {Host: "smtp.kommune.no", TLS: notify.ImplicitTLS, From: "post@kommune.no"},
		"smtp://127.0.0.1:1025?tls=none&from=a@b.no":                             {Host: "127.0.0.1", Port: 1025, TLS: notify.NoTLS, From: "a@b.no"},
	} {
		got, err := notify.SMTPConfigFromURL(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		pw := got.Password.Reveal()
		got.Password = secret.Value{}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %+v, want %+v", raw, got, want)
		}
		if strings.HasPrefix(raw, "smtp://u:") && pw != "p@ss" {
			t.Errorf("password %q", pw)
		}
		if _, err := notify.NewSMTP(got); err != nil {
			t.Errorf("%s: NewSMTP: %v", raw, err)
		}
	}
	for _, raw := range []string{"", "http://x", "smtp://h:port", "smtps://h?tls=starttls", "::"} {
		_, err := notify.SMTPConfigFromURL(raw)
		if !errors.Is(err, notify.ErrConfig) {
			t.Errorf("%q: %v", raw, err)
		}
	}
	if _, err := notify.SMTPConfigFromURL("smtp://u:topp-hemmelig@%zz"); err == nil || strings.Contains(err.Error(), "topp-hemmelig") {
		t.Errorf("the error shows the password: %v", err)
	}
	for name, cfg := range map[string]notify.SMTPConfig{
		"clear to a remote host": {Host: "smtp.kommune.no", TLS: notify.NoTLS, From: "a@b.no"},
		"no from":                {Host: "smtp.kommune.no"},
		"bad tls":                {Host: "h", TLS: "ssl", From: "a@b.no"},
		"bad port":               {Host: "h", Port: 70000, From: "a@b.no"},
		"half dkim":              {Host: "h", From: "a@b.no", DKIM: &notify.DKIM{Domain: "b.no"}},
	} {
		if _, err := notify.NewSMTP(cfg); !errors.Is(err, notify.ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSMTPDKIM signs with a DKIM key and checks the signature on the message
// as Mailpit received it, by RFC 6376's relaxed/relaxed rules: the body hash
// and the signature over the signed headers.
func TestSMTPDKIM(t *testing.T) {
	smtpURL, api := testenv.Mailpit(t)
	cfg, err := notify.SMTPConfigFromURL(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cfg.From, cfg.DKIM = "postmottak@grunnmur.test", &notify.DKIM{Domain: "grunnmur.test", Selector: "notify2026", Key: key}
	if s := fmt.Sprintf("%v %+v", *cfg.DKIM, *cfg.DKIM); strings.Contains(s, key.N.String()[:20]) {
		t.Fatal("the DKIM key prints")
	}
	p, err := notify.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	key2 := uniqueKey(t)
	if _, err := p.SendEmail(context.Background(), &notify.OutgoingEmail{Key: key2, To: notify.NewAddress("kari@example.no"),
		Subject: "Vedtak i sak 2026/17 – blåbær", Text: "Hei Kari,  \r\n\r\nvedtaket er klart.\r\n\r\n", HTML: "<p>Hei Kari,</p>"}); err != nil {
		t.Fatal(err)
	}
	mp := mailpit{t: t, api: api}
	got := mp.byMessageID(p.MessageID(key2))
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	resp, err := http.Get(api + "/api/v1/message/" + got[0].ID + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := verifyDKIM(raw, &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	// A changed body no longer verifies.
	if err := verifyDKIM(bytes.Replace(raw, []byte("vedtaket"), []byte("Vedtaket"), 1), &key.PublicKey); err == nil {
		t.Fatal("a changed body verified")
	}
}

var wsp = regexp.MustCompile(`[ \t]+`)

func verifyDKIM(raw []byte, pub *rsa.PublicKey) error {
	msg := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, body, ok := strings.Cut(msg, "\n\n")
	if !ok {
		return errors.New("no body")
	}
	var fields []string // unfolded "Name: value"
	for _, l := range strings.Split(head, "\n") {
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(fields) > 0 {
			fields[len(fields)-1] += l
			continue
		}
		fields = append(fields, l)
	}
	relaxed := func(f string) string {
		name, value, _ := strings.Cut(f, ":")
		return strings.ToLower(strings.TrimSpace(name)) + ":" + strings.TrimSpace(wsp.ReplaceAllString(value, " "))
	}
	var sig string
	for _, f := range fields {
		if strings.HasPrefix(strings.ToLower(f), "dkim-signature:") {
			sig = f
		}
	}
	if sig == "" {
		return errors.New("no DKIM-Signature")
	}
	tags := map[string]string{}
	for _, kv := range strings.Split(sig[len("DKIM-Signature:"):], ";") {
		k, v, _ := strings.Cut(kv, "=")
		tags[strings.TrimSpace(k)] = strings.Join(strings.Fields(v), "")
	}
	if tags["d"] != "grunnmur.test" || tags["s"] != "notify2026" || tags["a"] != "rsa-sha256" || tags["c"] != "relaxed/relaxed" {
		return fmt.Errorf("tags %v", tags)
	}
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(wsp.ReplaceAllString(l, " "), " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	canonBody := ""
	if len(lines) > 0 {
		canonBody = strings.Join(lines, "\r\n") + "\r\n"
	}
	bh := sha256.Sum256([]byte(canonBody))
	if base64.StdEncoding.EncodeToString(bh[:]) != tags["bh"] {
		return errors.New("body hash differs")
	}
	var signed strings.Builder
	used := map[string]int{}
	for _, name := range strings.Split(tags["h"], ":") {
		name = strings.ToLower(name)
		used[name]++
		n := 0
		for i := len(fields) - 1; i >= 0; i-- { // the last instance first
			if fn, _, _ := strings.Cut(fields[i], ":"); strings.ToLower(strings.TrimSpace(fn)) == name {
				if n++; n == used[name] {
					signed.WriteString(relaxed(fields[i]) + "\r\n")
					break
				}
			}
		}
	}
	b64 := regexp.MustCompile(`(;\s*b=)[^;]*`)
	signed.WriteString(relaxed(b64.ReplaceAllString(sig, "${1}")))
	sum := sha256.Sum256([]byte(signed.String()))
	b, err := base64.StdEncoding.DecodeString(tags["b"])
	if err != nil {
		return err
	}
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], b)
}

// TestSMTPCrash: the process dies between Mailpit's acceptance and the
// store's update. After the lease a restarted Sender sends again with the
// same key and so the same Message-ID; a Mailpit that ignores Message-IDs it
// already holds keeps exactly one message, and one that does not keeps two,
// both with that Message-ID: exactly once over SMTP is at-least-once
// delivery deduplicated by the receiver.
func TestSMTPCrash(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"ignore-duplicate-ids", []string{"--ignore-duplicate-ids"}, 1},
		{"keeps-duplicates", nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			port, api := startMailpit(t, tc.args...)
			p, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: notify.NoTLS, From: "postmottak@grunnmur.test"})
			if err != nil {
				t.Fatal(err)
			}
			var sentIDs []string
			counting := notifytest.EmailFunc(func(ctx context.Context, m *notify.OutgoingEmail) (notify.Receipt, error) {
				msg, err := p.Message(m)
				if err != nil {
					return notify.Receipt{}, err
				}
				ids := msg.GetGenHeader(gomail.HeaderMessageID)
				sentIDs = append(sentIDs, strings.Join(ids, ","))
				return p.SendEmail(ctx, m)
			})
			c := newClock("2026-06-15T10:00:00+02:00")
			store := &crashingStore{Store: &notify.MemStore{}}
			store.crash.Store(true)
			key := uniqueKey(t)
			s, _ := notify.New(notify.Config{Email: counting, Store: store, Now: c.now, Lease: 10 * time.Minute})
			if _, err := s.Send(ctx, mail(key)); err == nil {
				t.Fatal("the crash was not reported")
			}
			mp := mailpit{t: t, api: api}
			if got := mp.byMessageID(p.MessageID(key)); len(got) != 1 {
				t.Fatalf("before the restart Mailpit holds %d messages, want 1", len(got))
			}
			s2, _ := notify.New(notify.Config{Email: counting, Store: store, Now: c.now, Lease: 10 * time.Minute})
			if n, err := s2.SendDue(ctx); n != 0 || err != nil {
				t.Fatalf("taken over inside the lease: %d %v", n, err)
			}
			c.add(10 * time.Minute)
			if n, err := s2.SendDue(ctx); n != 1 || err != nil {
				t.Fatalf("after the lease: %d sends, %v", n, err)
			}
			r, _ := s2.Get(ctx, key)
			if r.Status != notify.Delivered || r.Attempts != 2 || r.ProviderID != p.MessageID(key) {
				t.Fatalf("%s after %d attempts, %q: %s", r.Status, r.Attempts, r.ProviderID, r.Reason)
			}
			want := "<" + p.MessageID(key) + ">"
			if len(sentIDs) != 2 || sentIDs[0] != want || sentIDs[1] != want {
				t.Fatalf("Message-IDs sent %q, want %q twice", sentIDs, want)
			}
			got := mp.byMessageID(p.MessageID(key))
			if len(got) != tc.want {
				t.Fatalf("Mailpit holds %d messages with the Message-ID, want %d", len(got), tc.want)
			}
			if h := mp.headers(got[0].ID); strings.Join(h["Message-Id"], "") != want {
				t.Errorf("Message-Id %q", h["Message-Id"])
			}
		})
	}
}
