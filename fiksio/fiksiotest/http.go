package fiksiotest

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fiksio"
)

// REST patterns, for fake.Fault.Match and Requests.
const (
	OpSend            = "POST /fiks-io/api/v1/send"
	OpLookup          = "GET /fiks-io/katalog/api/v1/lookup"
	OpKonto           = "GET /fiks-io/katalog/api/v1/kontoer/{kontoId}"
	OpOffentligNokkel = "GET /fiks-io/katalog/api/v1/kontoer/{kontoId}/offentligNokkel"
	OpNedlasting      = "GET /dokumentlager/nedlasting/{id}"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(OpSend, s.send)
	mux.HandleFunc(OpLookup, s.lookup)
	mux.HandleFunc(OpKonto, s.konto)
	mux.HandleFunc(OpOffentligNokkel, s.offentligNokkel)
	mux.HandleFunc(OpNedlasting, s.nedlasting)
	return mux
}

// writeError answers in the shape of KS' Fiks error body.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"timestamp": s.now().UnixMilli(), "status": status, "error": http.StatusText(status),
		"errorId": uuid.NewString(), "path": r.URL.Path, "message": msg,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// authorize checks the three credentials of a REST call and returns the
// integration, or answers 401 itself.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (*integration, bool) {
	if s.cfg.Authorize != nil {
		if st := s.cfg.Authorize(r); st != 0 {
			s.writeError(w, r, st, "refused")
			return nil, false
		}
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		s.writeError(w, r, http.StatusUnauthorized, "missing bearer token")
		return nil, false
	}
	if _, err := s.cfg.Maskinporten.VerifyMaskinportenToken(bearer, fiksio.Scope); err != nil {
		s.writeError(w, r, http.StatusUnauthorized, "invalid Maskinporten token")
		return nil, false
	}
	in := s.integration(r.Header.Get(fiksio.HeaderIntegrasjonID))
	if in == nil || subtle.ConstantTimeCompare([]byte(r.Header.Get(fiksio.HeaderIntegrasjonPassord)), []byte(in.passord.Reveal())) != 1 {
		s.writeError(w, r, http.StatusUnauthorized, "unknown integration or wrong password")
		return nil, false
	}
	return in, true
}

var typePattern = regexp.MustCompile(`^[0-9A-Za-z._-]{1,255}$`)

// send is POST /fiks-io/api/v1/send: multipart metadata + data.
func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	in, ok := s.authorize(w, r)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		s.writeError(w, r, http.StatusBadRequest, "expected multipart/form-data")
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "expected multipart/form-data")
		return
	}
	md, status, msg := s.readMetadata(in, mr)
	if status != 0 {
		s.writeError(w, r, status, msg)
		return
	}
	s.deliver(w, r, mr, md)
}

// readMetadata reads and checks the metadata part; a refusal is its status
// and message.
func (s *Server) readMetadata(in *integration, mr *multipart.Reader) (md *fiksio.Metadata, status int, msg string) {
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "metadata" {
		return nil, http.StatusBadRequest, "the first part must be metadata"
	}
	md = &fiksio.Metadata{}
	dec := json.NewDecoder(io.LimitReader(part, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(md); err != nil {
		return nil, http.StatusBadRequest, "metadata does not decode: " + err.Error()
	}
	switch {
	case !in.kontoer[md.AvsenderKontoID]:
		return nil, http.StatusForbidden, "the integration may not send from avsenderKontoId"
	case !typePattern.MatchString(md.MeldingType):
		return nil, http.StatusBadRequest, "meldingType is not a message type"
	case md.TTL != nil && *md.TTL < 1000:
		return nil, http.StatusBadRequest, "ttl must be at least 1000 ms"
	}
	if a := s.account(md.AvsenderKontoID); a == nil || a.NotSender {
		return nil, http.StatusForbidden, "avsenderKontoId may not send"
	}
	if a := s.account(md.MottakerKontoID); a == nil || a.NotReceiver {
		return nil, http.StatusNotFound, "mottakerKontoId is not a receiving account"
	}
	for k := range md.Headere {
		if k == "" || strings.HasPrefix(k, fiksio.CustomHeaderPrefix) {
			return nil, http.StatusBadRequest, "headere names go without the " + fiksio.CustomHeaderPrefix + " prefix"
		}
	}
	return md, 0, ""
}

// deliver stores the data part and publishes the message to the receiver's queue.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, mr *multipart.Reader, md *fiksio.Metadata) {
	d := delivery{meldingID: uuid.New(), avsender: md.AvsenderKontoID, mottaker: md.MottakerKontoID,
		typ: md.MeldingType, headers: md.Headere, ttl: 7 * 24 * time.Hour}
	if md.SvarPaMelding != nil {
		d.svarTil = *md.SvarPaMelding
	}
	if md.TTL != nil {
		d.ttl = time.Duration(*md.TTL) * time.Millisecond
	}
	if part, err := mr.NextPart(); err == nil {
		if part.FormName() != "data" {
			s.writeError(w, r, http.StatusBadRequest, "the second part must be data")
			return
		}
		if d.body, d.dokumentlager, err = s.store(part); err != nil {
			s.writeError(w, r, http.StatusBadRequest, "data: "+err.Error())
			return
		}
	} else if !errors.Is(err, io.EOF) {
		s.writeError(w, r, http.StatusBadRequest, "malformed multipart body")
		return
	}
	if err := s.publish(r.Context(), d); err != nil {
		if d.dokumentlager != uuid.Nil {
			s.removeDocument(d.dokumentlager)
		}
		if errors.Is(err, errQueueFull) {
			s.writeError(w, r, http.StatusTooManyRequests, "the receiver's queue is full")
			return
		}
		s.writeError(w, r, http.StatusServiceUnavailable, "broker: "+err.Error())
		return
	}
	resp := fiksio.SentAPI{MeldingID: d.meldingID, MeldingType: d.typ, AvsenderKontoID: d.avsender,
		MottakerKontoID: d.mottaker, TTL: d.ttl.Milliseconds(), Headere: d.headers}
	if md.SvarPaMelding != nil {
		resp.SvarPaMelding = md.SvarPaMelding
	}
	if d.dokumentlager != uuid.Nil {
		id := d.dokumentlager
		resp.DokumentlagerID = &id
	}
	writeJSON(w, http.StatusAccepted, resp)
}

// store keeps a payload: in the body up to InlineLimit, else in a
// Dokumentlager file, streamed there.
func (s *Server) store(data io.Reader) ([]byte, uuid.UUID, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, data, s.cfg.InlineLimit+1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, uuid.Nil, err
	}
	if n <= s.cfg.InlineLimit {
		return buf.Bytes(), uuid.Nil, nil
	}
	id := uuid.New()
	path := filepath.Join(s.dir, id.String())
	f, err := os.Create(path)
	if err != nil {
		return nil, uuid.Nil, err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	_, err = io.Copy(bw, io.MultiReader(&buf, data))
	err = errors.Join(err, bw.Flush(), f.Close())
	if err != nil {
		_ = os.Remove(path)
		return nil, uuid.Nil, err
	}
	s.mu.Lock()
	s.documents[id] = path
	s.mu.Unlock()
	return nil, id, nil
}

// nedlasting is GET /dokumentlager/nedlasting/{id}: the payload, streamed.
func (s *Server) nedlasting(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	s.mu.Lock()
	path, ok := s.documents[id]
	s.mu.Unlock()
	if err != nil || !ok {
		s.writeError(w, r, http.StatusNotFound, "no such document")
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.writeError(w, r, http.StatusNotFound, "no such document")
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = io.Copy(w, f)
}

type kontoStatus struct {
	GyldigAvsender bool   `json:"gyldigAvsender"`
	GyldigMottaker bool   `json:"gyldigMottaker"`
	Melding        string `json:"melding,omitempty"`
}

type katalogKonto struct {
	FiksOrgID   uuid.UUID   `json:"fiksOrgId"`
	FiksOrgNavn string      `json:"fiksOrgNavn"`
	KontoID     uuid.UUID   `json:"kontoId"`
	KontoNavn   string      `json:"kontoNavn"`
	Status      kontoStatus `json:"status"`
}

func katalogOf(a *Account) katalogKonto {
	return katalogKonto{FiksOrgID: a.FiksOrgID, FiksOrgNavn: a.FiksOrgNavn, KontoID: a.KontoID, KontoNavn: a.KontoNavn,
		Status: kontoStatus{GyldigAvsender: !a.NotSender, GyldigMottaker: !a.NotReceiver}}
}

var (
	identifikatorPattern = regexp.MustCompile(`^[A-Z_]+\.[0-9]+$`)
	protokollPattern     = regexp.MustCompile(`^[0-9a-zæøåA-ZÆØÅ.]+$`)
)

// lookup is GET /fiks-io/katalog/api/v1/lookup.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	q := r.URL.Query()
	ident, proto := q.Get("identifikator"), q.Get("meldingProtokoll")
	niva, err := strconv.Atoi(q.Get("sikkerhetsniva"))
	if !identifikatorPattern.MatchString(ident) || !protokollPattern.MatchString(proto) || err != nil || niva < 1 || niva > 4 {
		s.writeError(w, r, http.StatusBadRequest, "identifikator, meldingProtokoll and sikkerhetsniva (1..4) are required")
		return
	}
	kind, number, _ := strings.Cut(ident, ".")
	s.mu.Lock()
	var found *Account
	for _, a := range s.accounts {
		if kind == "ORG_NO" && string(a.OrgNr) == number && a.Sikkerhetsniva == niva && slices.Contains(a.Protokoller, proto) {
			if found == nil || a.KontoID.String() < found.KontoID.String() {
				found = a
			}
		}
	}
	s.mu.Unlock()
	if found == nil {
		s.writeError(w, r, http.StatusNotFound, "Fant ingen konto som samsvarte med de oppgitte parametrene")
		return
	}
	writeJSON(w, http.StatusOK, katalogOf(found))
}

func (s *Server) kontoFromPath(w http.ResponseWriter, r *http.Request) *Account {
	if _, ok := s.authorize(w, r); !ok {
		return nil
	}
	id, err := uuid.Parse(r.PathValue("kontoId"))
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "kontoId is not a UUID")
		return nil
	}
	a := s.account(id)
	if a == nil {
		s.writeError(w, r, http.StatusNotFound, "no such account")
	}
	return a
}

// konto is GET /fiks-io/katalog/api/v1/kontoer/{kontoId}.
func (s *Server) konto(w http.ResponseWriter, r *http.Request) {
	if a := s.kontoFromPath(w, r); a != nil {
		writeJSON(w, http.StatusOK, katalogOf(a))
	}
}

// offentligNokkel is GET /fiks-io/katalog/api/v1/kontoer/{kontoId}/offentligNokkel.
func (s *Server) offentligNokkel(w http.ResponseWriter, r *http.Request) {
	a := s.kontoFromPath(w, r)
	if a == nil {
		return
	}
	if a.Certificate == nil {
		s.writeError(w, r, http.StatusNotFound, "Offentlig nøkkel er ikke satt")
		return
	}
	c := a.Certificate
	now := s.now()
	writeJSON(w, http.StatusOK, map[string]any{
		"nokkel":    string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})),
		"validFrom": c.NotBefore.UTC().Format(time.RFC3339), "validTo": c.NotAfter.UTC().Format(time.RFC3339),
		"serial": c.SerialNumber.String(), "subjectDN": c.Subject.String(), "issuerDN": c.Issuer.String(),
		"valid": !now.Before(c.NotBefore) && !now.After(c.NotAfter),
	})
}
