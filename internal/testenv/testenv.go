// Package testenv finds what grunnmur's tests need outside Go: PostgreSQL,
// Redis, RabbitMQ, NATS, Chromium, axe-core, xmllint, and Java with the Nu Html Checker. (The
// specifications and vectors the tests read are in the repository, in the
// testdata folders beside the tests.)
//
// Each lookup skips the calling test with a message that says what to install,
// so that `go test ./...` passes on a bare machine. When GRUNNMUR_REQUIRE_PEERS
// is set (as .ci/run sets it), a missing peer fails the test instead: a CI run
// must never pass because an install step silently went missing.
//
//	func TestSchema(t *testing.T) {
//		xmllint := testenv.Xmllint(t)
//		xsd := filepath.Join("testdata", "noark5", "sample", "arkivstruktur.xsd")
//		...
//	}
package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Module is the module path that ModuleRoot looks for.
const Module = "github.com/grunnmur/grunnmur"

// Environment variables read by this package.
const (
	EnvDatabaseURL  = "GRUNNMUR_TEST_DATABASE_URL"
	EnvRedisURL     = "GRUNNMUR_TEST_REDIS_URL"
	EnvAMQPURL      = "GRUNNMUR_TEST_AMQP_URL"
	EnvNATSURL      = "GRUNNMUR_TEST_NATS_URL"
	EnvChromium     = "GRUNNMUR_CHROMIUM"
	EnvAxeJS        = "GRUNNMUR_AXE_JS"
	EnvVnuJar       = "GRUNNMUR_VNU_JAR"
	EnvRequirePeers = "GRUNNMUR_REQUIRE_PEERS"
	EnvSMTPURL      = "GRUNNMUR_TEST_SMTP_URL"
	EnvMailpitURL   = "GRUNNMUR_TEST_MAILPIT_URL"
	EnvMailpit      = "GRUNNMUR_MAILPIT"
)

// ModuleRoot returns the directory holding grunnmur's go.mod, found by walking up
// from the working directory (go test runs each package in its own directory).
var ModuleRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isModuleRoot(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod for " + Module + " above the working directory")
		}
		dir = parent
	}
})

func isModuleRoot(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "module ") {
			return strings.TrimSpace(strings.TrimPrefix(line, "module ")) == Module
		}
	}
	return false
}

// missing skips t, or fails it when peers are required, with a message that
// says what to install.
func missing(t testing.TB, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s not found: %s", what, install)
	if os.Getenv(EnvRequirePeers) != "" {
		t.Fatalf("%s (%s is set, so a missing peer is an error)", msg, EnvRequirePeers)
	}
	t.Skip(msg)
}

// DatabaseURL returns the PostgreSQL URL from GRUNNMUR_TEST_DATABASE_URL. Use
// postgres/postgrestest for a fresh schema per test rather than this directly.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvDatabaseURL)
	if u == "" {
		missing(t, "PostgreSQL", "apt-get install postgresql, start it (.ci/run does), and set "+EnvDatabaseURL+"=postgres://postgres@127.0.0.1:5432/test")
	}
	return u
}

// RedisURL returns the Redis URL from GRUNNMUR_TEST_REDIS_URL
// (redis://127.0.0.1:6379/0 on the project's machines). Tests that share the
// server keep to keys of their own.
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvRedisURL)
	if u == "" {
		missing(t, "Redis", "apt-get install redis-server, start it (.ci/run does), and set "+EnvRedisURL+"=redis://127.0.0.1:6379/0")
	}
	return u
}

// AMQPURL returns the RabbitMQ URL from GRUNNMUR_TEST_AMQP_URL
// (amqp://guest:guest@127.0.0.1:5672/ on the project's machines). Tests that
// share the broker keep to queues and exchanges of their own.
func AMQPURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvAMQPURL)
	if u == "" {
		missing(t, "RabbitMQ", "apt-get install rabbitmq-server, start it (rabbitmq-server -detached; .ci/run does), and set "+EnvAMQPURL+"=amqp://guest:guest@127.0.0.1:5672/")
	}
	return u
}

// NATSURL returns the NATS URL from GRUNNMUR_TEST_NATS_URL
// (nats://127.0.0.1:4222 on the project's machines, JetStream on). Tests
// that share the server keep to streams and subjects of their own.
func NATSURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvNATSURL)
	if u == "" {
		missing(t, "NATS", "apt-get install nats-server, start it with JetStream (nats-server -a 127.0.0.1 -p 4222 -js -sd DIR; .ci/run does), and set "+EnvNATSURL+"=nats://127.0.0.1:4222")
	}
	return u
}

// Rabbitmqctl returns the path of rabbitmqctl, which tests use to act on
// the broker from its side (close a connection, say).
func Rabbitmqctl(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		missing(t, "rabbitmqctl", "apt-get install rabbitmq-server")
	}
	return p
}

// Mailpit returns the running Mailpit's SMTP URL (GRUNNMUR_TEST_SMTP_URL,
// smtp://127.0.0.1:1025?tls=none&from=... on the project's machines) and the
// base URL of its HTTP API (GRUNNMUR_TEST_MAILPIT_URL). Tests that share it
// tell their messages apart by recipient or Message-ID.
func Mailpit(t testing.TB) (smtpURL, apiURL string) {
	t.Helper()
	smtpURL, apiURL = os.Getenv(EnvSMTPURL), os.Getenv(EnvMailpitURL)
	if smtpURL == "" || apiURL == "" {
		missing(t, "Mailpit", "GOFLAGS= go install github.com/axllent/mailpit@v1.33.1, start it on loopback ports (.ci/run does), and set "+
			EnvSMTPURL+" and "+EnvMailpitURL)
	}
	return smtpURL, apiURL
}

// MailpitBinary returns the path of the mailpit binary, for a test that
// starts a Mailpit of its own (with TLS, say): GRUNNMUR_MAILPIT, else
// mailpit on PATH, else in $(go env GOPATH)/bin.
func MailpitBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvMailpit); p != "" {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "mailpit")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	missing(t, "Mailpit", "GOFLAGS= go install github.com/axllent/mailpit@v1.33.1 (.ci/run does), or set "+EnvMailpit)
	return ""
}

// Chromium returns the path of a Chromium binary and the flags a headless test
// needs: GRUNNMUR_CHROMIUM, else chromium (or chromium-browser) on PATH.
// As root, Chromium refuses to start without --no-sandbox, so that is added.
func Chromium(t testing.TB) (path string, flags []string) {
	t.Helper()
	path = os.Getenv(EnvChromium)
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		missing(t, "Chromium", "apt-get install chromium, or set "+EnvChromium)
		return "", nil
	}
	flags = []string{
		"--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
	}
	if os.Geteuid() == 0 {
		flags = append(flags, "--no-sandbox")
	}
	return path, flags
}

// AxeJS returns the path of axe.min.js: GRUNNMUR_AXE_JS, else
// node_modules/axe-core/axe.min.js at the module root, as .ci/run installs it.
func AxeJS(t testing.TB) string {
	t.Helper()
	p := os.Getenv(EnvAxeJS)
	if p == "" {
		if root, err := ModuleRoot(); err == nil {
			p = filepath.Join(root, "node_modules", "axe-core", "axe.min.js")
		}
	}
	if _, err := os.Stat(p); p == "" || err != nil {
		missing(t, "axe-core", "run `"+npmInstall+"` at the module root, or set "+EnvAxeJS)
	}
	return p
}

// Xmllint returns the path of xmllint, used to validate XML against the official
// XSDs (Go has no XSD validator).
func Xmllint(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		missing(t, "xmllint", "apt-get install libxml2-utils")
	}
	return p
}

// Pgbench returns the path of pgbench, PostgreSQL's benchmark client, which
// runs booking/bench's scripts. They pipeline (\startpipeline), which needs
// pgbench 14 or newer. On Debian pgbench comes with the server package; the
// pgbench on PATH may be postgresql-common's wrapper, which fails when no
// version is installed: only an answer to --version counts.
func Pgbench(t testing.TB) string {
	t.Helper()
	const install = "apt-get install postgresql (pgbench 14 or newer)"
	p, err := exec.LookPath("pgbench")
	if err != nil {
		missing(t, "pgbench", install)
		return ""
	}
	out, err := exec.Command(p, "--version").Output()
	if err != nil || pgbenchMajor(string(out)) < 14 {
		missing(t, "pgbench", install+"; `pgbench --version` said "+strconv.Quote(strings.TrimSpace(string(out))))
	}
	return p
}

// pgbenchMajor reads the major version from pgbench --version's
// "pgbench (PostgreSQL) 15.20 (Debian ...)"; 0 when it cannot.
func pgbenchMajor(version string) int {
	f := strings.Fields(version)
	if len(f) < 3 || f[1] != "(PostgreSQL)" {
		return 0
	}
	major, _, _ := strings.Cut(f[2], ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0
	}
	return n
}

// OpenSSL returns the path of the openssl command, the independent reader
// of the CMS and ASiC-E that the project writes.
func OpenSSL(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		missing(t, "openssl", "apt-get install openssl")
	}
	return p
}

// npmInstall installs both npm peers in one command, as .ci/run does: a later
// `npm install --no-save` removes what an earlier one added. --ignore-scripts
// keeps vnu-jar from downloading a Java of its own.
const npmInstall = "npm install --no-save --ignore-scripts axe-core@4.11.0 vnu-jar@26.9.27"

// Vnu returns java on PATH and the path of the W3C Nu Html Checker's vnu.jar:
// GRUNNMUR_VNU_JAR, else node_modules/vnu-jar/build/dist/vnu.jar at the module
// root, as .ci/run installs it.
func Vnu(t testing.TB) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		missing(t, "java (for the Nu Html Checker)", "apt-get install default-jre-headless")
		return "", ""
	}
	jar = os.Getenv(EnvVnuJar)
	if jar == "" {
		if root, err := ModuleRoot(); err == nil {
			jar = filepath.Join(root, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
		}
	}
	if _, err := os.Stat(jar); jar == "" || err != nil {
		missing(t, "vnu.jar (the Nu Html Checker)", "run `"+npmInstall+"` at the module root, or set "+EnvVnuJar)
		return "", ""
	}
	return java, jar
}
