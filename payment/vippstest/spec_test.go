package vippstest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/grunnmur/grunnmur/payment"
	"github.com/grunnmur/grunnmur/payment/vipps"
	"github.com/grunnmur/grunnmur/payment/vippstest"
)

const (
	epaymentURL = "file:///specs/vipps/epayment.v1.json"
	webhooksURL = "file:///specs/vipps/webhooks.json"
	// The ePayment spec refers to a receipt schema in another repository
	// that the specs folder does not hold; an open schema stands in for it.
	receiptURL = "https://raw.githubusercontent.com/vippsas/vipps-order-management-api/2.3.24/docs/swagger.yaml"
)

// loadSpec reads an OpenAPI 3.0 YAML file as JSON and turns its schemas into
// JSON Schema: OpenAPI 3.0's "nullable: true" becomes a type that admits null.
func loadSpec(t *testing.T, name string) any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "vipps", name))
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["nullable"] == true {
				if typ, ok := v["type"].(string); ok {
					v["type"] = []any{typ, "null"}
				} else if _, ok := v["$ref"]; ok {
					v["anyOf"] = []any{map[string]any{"$ref": v["$ref"]}, map[string]any{"type": "null"}}
					delete(v, "$ref")
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)
	if name == "epayment.v1.yml" {
		// The spec's Customer is a oneOf of three objects that require
		// nothing, so every customer matches all three and fails oneOf. Its
		// text says exactly one of the members may be given: require each
		// branch's member, which is what the spec means.
		schemas := doc.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)
		for branch, member := range map[string]string{"CustomerPhoneNumber": "phoneNumber", "PersonalQrCode": "personalQr", "CustomerToken": "customerToken"} {
			schemas[branch].(map[string]any)["required"] = []any{member}
		}
	}
	return doc
}

func compiler(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for url, doc := range map[string]any{
		epaymentURL: loadSpec(t, "epayment.v1.yml"),
		webhooksURL: loadSpec(t, "webhooks.swagger.yaml"),
		receiptURL:  map[string]any{"components": map[string]any{"schemas": map[string]any{"Receipt": map[string]any{}}}},
	} {
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddResource("file:///specs/vipps/events.json", map[string]any{
		"type": "array", "items": map[string]any{"$ref": epaymentURL + "#/components/schemas/PaymentEvent"},
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

type exchange struct {
	method, path   string
	status         int
	reqBody, body  []byte
	reqContentType string
}

type recorder struct {
	mu  sync.Mutex
	log []exchange
	h   http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	reqBody, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	r.mu.Lock()
	r.log = append(r.log, exchange{req.Method, req.URL.Path, rec.Code, reqBody, rec.Body.Bytes(), req.Header.Get("Content-Type")})
	r.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// schemaFor names the response schema the spec gives an operation's answer.
func schemaFor(method, path string, status int) (string, bool) {
	epay := epaymentURL + "#/components/schemas/"
	hooks := webhooksURL + "#/components/schemas/"
	switch {
	case path == "/accesstoken/get":
		return "", false // the access token spec is not in the specs folder
	case strings.HasPrefix(path, "/webhooks/"):
		switch {
		case status >= 400:
			return hooks + "ProblemDetails", true
		case method == "POST":
			return hooks + "RegisterResponse", true
		case method == "GET":
			return hooks + "QueryResponse", true
		}
		return "", false // 204
	case status >= 400:
		return epay + "Problem", true
	case strings.HasPrefix(path, "/epayment/v1/test/"):
		return "", false // no body
	case method == "POST" && path == "/epayment/v1/payments":
		return epay + "CreatePaymentResponse", true
	case strings.HasSuffix(path, "/events"):
		return "file:///specs/vipps/events.json", true
	case method == "GET":
		return epay + "GetPaymentResponse", true
	default:
		return epay + "ModificationResponse", true
	}
}

// requestSchemaFor names the schema of a request body the client sends.
func requestSchemaFor(method, path string) (string, bool) {
	epay := epaymentURL + "#/components/schemas/"
	switch {
	case method != "POST":
		return "", false
	case path == "/epayment/v1/payments":
		return epay + "CreatePaymentRequest", true
	case strings.HasSuffix(path, "/capture"):
		return epay + "CaptureModificationRequest", true
	case strings.HasSuffix(path, "/refund"):
		return epay + "RefundModificationRequest", true
	case strings.HasPrefix(path, "/epayment/v1/test/"):
		return epay + "ForceApprove", true
	case path == "/webhooks/v1/webhooks":
		return webhooksURL + "#/components/schemas/RegisterRequest", true
	}
	return "", false
}

// TestResponsesMatchSpec drives the fake through every operation, good and
// bad, and validates each JSON answer against epayment.v1.yml or the Webhooks
// spec, each request body our client sent, and each webhook body, so that
// neither the fake nor the client can drift from the published API.
func TestResponsesMatchSpec(t *testing.T) {
	c := compiler(t)
	fake := vippstest.New(vippstest.Config{WebhookRetryDelays: []time.Duration{}})
	rec := &recorder{h: fake}
	api := httptest.NewServer(rec)
	defer api.Close()
	var hookMu sync.Mutex
	var hookBodies [][]byte
	hookSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		hookBodies = append(hookBodies, b)
		hookMu.Unlock()
	}))
	defer hookSrv.Close()
	defer fake.Close()
	cfg := fake.ClientConfig(api.URL)
	cfg.MaxAttempts = 1
	cl, err := vipps.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reg, err := cl.RegisterWebhook(ctx, hookSrv.URL+"/hook", vipps.AllPaymentEvents)
	if err != nil {
		t.Fatal(err)
	}
	cl.RegisterWebhook(ctx, "http://example.com/not-https", vipps.AllPaymentEvents) // 400
	cl.Webhooks(ctx)
	web := payment.CreateRequest{Reference: "spec-ref-web-1", Amount: 49900, Description: "Gebyr for skjenkebevilling", Flow: payment.FlowWebRedirect, ReturnURL: "https://kommune.example/ferdig", IdempotencyKey: "create-web-1"}
	cl.Create(ctx, web)
	cl.Create(ctx, web) // replay
	web.Amount = 1
	cl.Create(ctx, web)                                                                                                                                                                                               // idempotency conflict
	cl.Create(ctx, payment.CreateRequest{Reference: "spec-ref-web-1", Amount: 100, Description: "Gebyr", Flow: payment.FlowWebRedirect, ReturnURL: "https://kommune.example/ferdig", IdempotencyKey: "create-web-2"}) // reference conflict
	cl.Create(ctx, payment.CreateRequest{Reference: "spec-ref-push-1", Amount: 1000, Description: "Leie av gymsal", Flow: payment.FlowPushMessage, PhoneNumber: "4791234567", IdempotencyKey: "create-push-1"})
	cl.Get(ctx, "spec-ref-web-1")
	cl.Capture(ctx, "spec-ref-web-1", 100, "capture-too-early") // 409
	cl.ForceApprove(ctx, "spec-ref-web-1", "")
	cl.Capture(ctx, "spec-ref-web-1", 100000, "capture-too-much") // 400
	cl.Capture(ctx, "spec-ref-web-1", 20000, "capture-1")
	cl.Refund(ctx, "spec-ref-web-1", 5000, "refund-1")
	cl.Cancel(ctx, "spec-ref-web-1", "cancel-1")
	cl.Get(ctx, "spec-ref-web-1")
	cl.Events(ctx, "spec-ref-web-1")
	cl.Cancel(ctx, "spec-ref-push-1", "cancel-push")
	cl.Events(ctx, "spec-ref-push-1")
	cl.Get(ctx, "spec-ref-missing")
	cl.Capture(ctx, "spec-ref-missing", 1, "capture-x") // 404
	cl.DeleteWebhook(ctx, reg.ID)
	cl.DeleteWebhook(ctx, reg.ID) // 404
	fake.Wait()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	checked := map[string]bool{}
	for _, x := range rec.log {
		if loc, ok := requestSchemaFor(x.method, x.path); ok && len(x.reqBody) > 0 {
			validate(t, c, loc, x.reqBody, "request "+x.method+" "+x.path)
		}
		loc, ok := schemaFor(x.method, x.path, x.status)
		if !ok {
			continue
		}
		validate(t, c, loc, x.body, x.method+" "+x.path)
		checked[loc[strings.LastIndex(loc, "/")+1:]] = true
	}
	for _, want := range []string{"CreatePaymentResponse", "GetPaymentResponse", "ModificationResponse", "events.json", "Problem", "RegisterResponse", "QueryResponse", "ProblemDetails"} {
		if !checked[want] {
			t.Errorf("no answer was checked against %s", want)
		}
	}
	hookMu.Lock()
	defer hookMu.Unlock()
	if len(hookBodies) < 6 {
		t.Fatalf("only %d webhooks delivered", len(hookBodies))
	}
	for _, b := range hookBodies {
		validate(t, c, epaymentURL+"#/components/schemas/WebhookEvent", b, "webhook")
	}
}

func validate(t *testing.T, c *jsonschema.Compiler, loc string, body []byte, what string) {
	t.Helper()
	sch, err := c.Compile(loc)
	if err != nil {
		t.Fatalf("compile %s: %v", loc, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: not JSON: %v\n%s", what, err, body)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s does not match %s: %v\n%s", what, loc, err, body)
	}
}

// TestValidatorCatchesDrift proves the check can fail: a response missing a
// required member, or with a state the spec does not know, is refused.
func TestValidatorCatchesDrift(t *testing.T) {
	c := compiler(t)
	sch, err := c.Compile(epaymentURL + "#/components/schemas/GetPaymentResponse")
	if err != nil {
		t.Fatal(err)
	}
	good := `{"aggregate":{"authorizedAmount":{"currency":"NOK","value":0},"cancelledAmount":{"currency":"NOK","value":0},"capturedAmount":{"currency":"NOK","value":0},"refundedAmount":{"currency":"NOK","value":0}},"amount":{"currency":"NOK","value":100},"state":"CREATED","paymentMethod":{"type":"WALLET"},"profile":{},"pspReference":"1","reference":"abcdefgh"}`
	for name, doc := range map[string]string{
		"good":          good,
		"no profile":    strings.Replace(good, `"profile":{},`, ``, 1),
		"unknown state": strings.Replace(good, `"CREATED"`, `"CAPTURED"`, 1),
		"bad reference": strings.Replace(good, `"abcdefgh"`, `"abc"`, 1),
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		err := sch.Validate(v)
		if (name == "good") != (err == nil) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
