package svaruttest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/grunnmur/grunnmur/fake"
	"github.com/grunnmur/grunnmur/i18n"
	"github.com/grunnmur/grunnmur/secret"
	"github.com/grunnmur/grunnmur/svarut"
)

// Config configures a Server. The zero value works: it accepts any bearer
// token and any integration credentials, for any account.
type Config struct {
	// KontoID, when set, is the only sending account; others get 403.
	KontoID string
	// IntegrasjonID and IntegrasjonPassord, when set, must match the headers.
	// Without them any non-empty credentials pass.
	IntegrasjonID      string
	IntegrasjonPassord secret.Value
	// Authorize, when set, decides on each request in place of the fake's
	// own token check (any non-empty bearer token): 0 lets it through, any
	// other status refuses it with SvarUT's error body. The integration's
	// credentials are checked either way.
	Authorize func(r *http.Request) (status int)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AutoAdvance, when positive, moves each shipment one status along its
	// route whenever that long has passed since its last change (read
	// lazily, so that a testing/synctest bubble's clock drives it). Zero
	// means statuses move only on command (Advance, SetStatus).
	AutoAdvance time.Duration
	// KeepFiles is how large a sent file may be for the fake to keep its
	// bytes (File); larger files keep only size and hash. 0 means 1 MiB;
	// negative keeps none.
	KeepFiles int64
	// SvarInnCertificate is the receiving system's certificate: AddIncoming
	// encrypts to it.
	SvarInnCertificate *x509.Certificate
	// ShipmentTypes is what GET /v2/forsendelsestyper lists.
	ShipmentTypes []string
}

// Server is a fake SvarUT (REST v2) and SvarInn (v2). It is an http.Handler:
// run it with httptest.NewServer(svaruttest.New(cfg)). Its embedded
// fake.Faults injects faults (Inject, Pending) and counts the requests
// (Requests).
type Server struct {
	fake.Faults

	cfg     Config
	mux     *http.ServeMux
	handler http.Handler

	mu          sync.Mutex
	shipments   map[string]*shipment
	order       []string
	unreachable map[string]bool
	systems     []svarut.ReceivingSystem
	incoming    map[string]*incoming
	inOrder     []string
	baseURL     string
}

type shipment struct {
	id       string
	konto    string
	meta     *svarut.Shipment
	files    []File
	status   svarut.Status
	changed  time.Time
	route    []svarut.Status
	history  []svarut.Event
	deleted  string
	readBy   string
	received time.Time
}

// File is a file the fake received.
type File struct {
	Name     string
	MimeType string
	Size     int64
	SHA256   string // hex
	Content  []byte // nil when larger than Config.KeepFiles
}

// Shipment is the fake's view of a sent shipment, for tests.
type Shipment struct {
	ID       string
	Shipment *svarut.Shipment
	Files    []File
	Status   svarut.Status
	History  []svarut.Event
	ReadBy   string // the fødselsnummer from the lest call, in clear
	Deleted  string // the slettetype of a DeleteFiles call
}

// New returns a fake server.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeepFiles == 0 {
		cfg.KeepFiles = 1 << 20
	}
	if cfg.ShipmentTypes == nil {
		cfg.ShipmentTypes = []string{"Byggesøknad", "Skjenkebevilling", "Vedtak"}
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), shipments: map[string]*shipment{},
		unreachable: map[string]bool{}, incoming: map[string]*incoming{}}
	s.routes()
	s.handler = s.Faults.Handler(http.HandlerFunc(s.serve), func(w http.ResponseWriter, r *http.Request, status int) {
		s.writeError(w, r, status, "INJISERT_FEIL", "Feil injisert av svaruttest", "")
	})
	return s
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("POST /api/v2/kontoer/{kontoId}/forsendelser", s.handleSend)
	m.HandleFunc("GET /api/v2/kontoer/{kontoId}/forsendelser", s.handleEksternRef)
	m.HandleFunc("GET /api/v2/kontoer/{kontoId}/forsendelser/metadata", s.handleEksternRefMetadata)
	m.HandleFunc("POST /api/v2/kontoer/{kontoId}/forsendelser/status-sok", s.handleStatus)
	m.HandleFunc("GET /api/v2/forsendelser/{id}/hendelser", s.handleHendelser)
	m.HandleFunc("GET /api/v2/forsendelser/{id}/signeringshendelser", s.handleSigneringshendelser)
	m.HandleFunc("GET /api/v2/forsendelser/{id}/metadata", s.handleMetadata)
	m.HandleFunc("POST /api/v2/forsendelser/{id}/lest", s.handleLest)
	m.HandleFunc("DELETE /api/v2/forsendelser/{id}/dokumenter", s.handleSlett)
	m.HandleFunc("GET /api/v2/forsendelsestyper", s.handleTyper)
	m.HandleFunc("GET /api/v2/mottakersystem", s.handleMottakersystem)
	m.HandleFunc("GET /tjenester/svarinn/v2/forsendelser", s.handleSvarInnList)
	m.HandleFunc("GET /tjenester/svarinn/v2/forsendelser/{id}", s.handleSvarInnDownload)
	m.HandleFunc("PATCH /tjenester/svarinn/v2/forsendelser/{id}/status", s.handleSvarInnStatus)
}

// ServeHTTP implements http.Handler: fault injection, authorization, routing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.baseURL == "" && r.Host != "" {
		s.baseURL = "http://" + r.Host
	}
	s.mu.Unlock()
	s.handler.ServeHTTP(w, r)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if status := s.authorize(r); status != 0 {
		s.writeError(w, r, status, "UNAUTHORIZED", "Mangler gyldig Maskinporten-token eller integrasjon", "")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// authorize returns 0 for a request with a valid token and the
// integration's credentials, else the status that refuses it.
func (s *Server) authorize(r *http.Request) int {
	if s.cfg.Authorize != nil {
		if status := s.cfg.Authorize(r); status != 0 {
			return status
		}
	} else if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); !ok || tok == "" {
		return http.StatusUnauthorized
	}
	id, pw := r.Header.Get(svarut.HeaderIntegrasjonID), r.Header.Get(svarut.HeaderIntegrasjonPassord)
	switch {
	case id == "" || pw == "":
		return http.StatusUnauthorized
	case s.cfg.IntegrasjonID != "" && id != s.cfg.IntegrasjonID:
		return http.StatusUnauthorized
	case !s.cfg.IntegrasjonPassord.IsZero() &&
		subtle.ConstantTimeCompare([]byte(pw), []byte(s.cfg.IntegrasjonPassord.Reveal())) != 1:
		return http.StatusUnauthorized
	}
	return 0
}

// writeError writes the spec's ErrorMessage.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, message string, errorJSON string) {
	body := map[string]any{
		"timestamp": s.cfg.Now().UnixMilli(), "status": status, "error": http.StatusText(status),
		"errorId": uuid.NewString(), "path": r.URL.Path, "originalPath": r.URL.Path, "message": message,
		"errorCode": code,
	}
	if errorJSON != "" {
		body["errorJson"] = errorJSON
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) kontoOK(w http.ResponseWriter, r *http.Request) (string, bool) {
	k := r.PathValue("kontoId")
	if _, err := uuid.Parse(k); err != nil {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_KONTO", "kontoId er ikke en UUID", "")
		return "", false
	}
	if s.cfg.KontoID != "" && k != s.cfg.KontoID {
		s.writeError(w, r, http.StatusForbidden, "INGEN_TILGANG_KONTO", "Integrasjonen har ikke tilgang til kontoen", "")
		return "", false
	}
	return k, true
}

var pdfMagic = []byte("%PDF-")

// handleSend reads the multipart shipment as a stream: the metadata part,
// then each file, hashed and counted as it passes, never parsed as a form.
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	konto, ok := s.kontoOK(w, r)
	if !ok {
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Forventet multipart/form-data", "")
		return
	}
	meta, ok := s.readMeta(w, r, mr)
	if !ok {
		return
	}
	files, badPDF, ok := s.readFiles(w, r, mr, meta)
	if !ok {
		return
	}
	now := s.cfg.Now()
	sh := &shipment{id: uuid.NewString(), konto: konto, meta: meta, files: files, status: svarut.StatusMottatt,
		changed: now, received: now}
	sh.history = []svarut.Event{{At: now, Description: eventText(svarut.StatusMottatt)}}
	s.mu.Lock()
	sh.route = s.routeFor(meta, badPDF)
	s.shipments[sh.id] = sh
	s.order = append(s.order, sh.id)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": sh.id})
}

// readMeta reads and checks the "forsendelse" part, or writes the error.
func (s *Server) readMeta(w http.ResponseWriter, r *http.Request, mr *multipart.Reader) (*svarut.Shipment, bool) {
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "forsendelse" {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", `Første part må hete "forsendelse"`, "")
		return nil, false
	}
	metaJSON, err := io.ReadAll(io.LimitReader(part, 1<<20+1))
	if err != nil || len(metaJSON) > 1<<20 {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Kunne ikke lese forsendelse", "")
		return nil, false
	}
	meta, err := svarut.UnmarshalShipment(metaJSON)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORSENDELSE", "Ugyldig forsendelse-JSON", "")
		return nil, false
	}
	// Sizes are unknown in the metadata; the print limit is checked on the bytes.
	if err := svarut.Validate(meta); err != nil {
		s.writeValidation(w, r, err)
		return nil, false
	}
	return meta, true
}

// readFiles reads the file parts, one per document in order, or writes the
// error. badPDF reports a printable "PDF" that is not one.
func (s *Server) readFiles(w http.ResponseWriter, r *http.Request, mr *multipart.Reader, meta *svarut.Shipment) (files []File, badPDF, ok bool) {
	var printBytes int64
	for i := 0; ; i++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Ødelagt multipart", "")
			return nil, false, false
		}
		if i >= len(meta.Documents) {
			s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORSENDELSE", "Flere filer enn dokumenter i metadata", "")
			return nil, false, false
		}
		doc := meta.Documents[i]
		if part.FileName() != doc.Name {
			s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORSENDELSE",
				fmt.Sprintf("Fil %d har filename %q, men dokumenter[%d].filnavn er %q", i, part.FileName(), i, doc.Name), "")
			return nil, false, false
		}
		f, isPDF, err := s.readFile(part, doc)
		if err != nil {
			s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Avbrutt filoverføring", "")
			return nil, false, false
		}
		if !meta.DigitalOnly && !doc.ExcludeFromPrint {
			printBytes += f.Size
			badPDF = badPDF || !isPDF
		}
		files = append(files, f)
	}
	if len(files) != len(meta.Documents) {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORSENDELSE",
			fmt.Sprintf("Metadata har %d dokumenter, men %d filer ble sendt", len(meta.Documents), len(files)), "")
		return nil, false, false
	}
	if printBytes > svarut.MaxPrintSize {
		s.writeError(w, r, http.StatusBadRequest, "FOR_STOR_FOR_PRINT", "PDF-ene er over 350 MB: merk forsendelsen kun digital", "")
		return nil, false, false
	}
	return files, badPDF, true
}

// readFile streams one file part, hashing and counting it, and keeps its
// bytes up to KeepFiles. isPDF reports whether it starts as a PDF does.
func (s *Server) readFile(part io.Reader, doc svarut.Document) (f File, isPDF bool, err error) {
	h := sha256.New()
	var keep bytes.Buffer
	head := make([]byte, 0, len(pdfMagic))
	n, err := io.Copy(io.MultiWriter(h, &capWriter{buf: &keep, max: s.cfg.KeepFiles}, &headWriter{b: &head}), part)
	if err != nil {
		return File{}, false, err
	}
	f = File{Name: doc.Name, MimeType: doc.MimeType, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	if n <= s.cfg.KeepFiles {
		f.Content = keep.Bytes()
	}
	return f, bytes.Equal(head, pdfMagic), nil
}

func (s *Server) writeValidation(w http.ResponseWriter, r *http.Request, err error) {
	var ve *svarut.ValidationError
	if !errors.As(err, &ve) {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORSENDELSE", "Ugyldig forsendelse", "")
		return
	}
	type fe struct {
		Felt    string `json:"felt"`
		Kode    string `json:"kode"`
		Melding string `json:"melding"`
	}
	var list []fe
	var msgs []string
	for _, f := range ve.Fields {
		list = append(list, fe{f.Field, f.Code, f.Message(i18n.NB)})
		msgs = append(msgs, f.Field+": "+f.Message(i18n.NB))
	}
	j, _ := json.Marshal(map[string]any{"valideringsfeil": list})
	s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORSENDELSE", strings.Join(msgs, "; "), string(j))
}

type capWriter struct {
	buf *bytes.Buffer
	max int64
}

func (c *capWriter) Write(p []byte) (int, error) {
	if room := c.max + 1 - int64(c.buf.Len()); room > 0 {
		c.buf.Write(p[:min(int64(len(p)), room)])
	}
	return len(p), nil
}

type headWriter struct{ b *[]byte }

func (h *headWriter) Write(p []byte) (int, error) {
	if room := cap(*h.b) - len(*h.b); room > 0 {
		*h.b = append(*h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// routeFor picks the statuses a new shipment will pass, after MOTTATT.
func (s *Server) routeFor(m *svarut.Shipment, badPDF bool) []svarut.Status {
	if badPDF {
		return []svarut.Status{svarut.StatusAvvist}
	}
	digitalID := ""
	if !m.Recipient.Person.IsZero() {
		digitalID = m.Recipient.Person.Reveal()
	} else if m.Recipient.Org != "" {
		digitalID = string(m.Recipient.Org)
	}
	switch {
	case digitalID != "" && !s.unreachable[digitalID]:
		return []svarut.Status{svarut.StatusAkseptert, svarut.StatusVarslet, svarut.StatusLest}
	case m.DigitalOnly:
		return []svarut.Status{svarut.StatusAkseptert, svarut.StatusIkkeLevert}
	default:
		return []svarut.Status{svarut.StatusAkseptert, svarut.StatusSendtPrint, svarut.StatusPrintet}
	}
}

func eventText(st svarut.Status) string {
	switch st {
	case svarut.StatusMottatt:
		return "Mottatt av SvarUt"
	case svarut.StatusAkseptert:
		return "Akseptert for ekspedering"
	case svarut.StatusVarslet:
		return "Varsel sendt til mottaker"
	case svarut.StatusLest:
		return "Lest av mottaker"
	case svarut.StatusSendtPrint:
		return "Sendt til print"
	case svarut.StatusPrintet:
		return "Printkvittering mottatt"
	case svarut.StatusIkkeLevert:
		return "Kunne ikke leveres digitalt"
	case svarut.StatusAvvist:
		return "Avvist: ugyldig dokument"
	}
	return "Status endret til " + string(st)
}

// tick applies AutoAdvance to sh. The caller holds s.mu.
func (s *Server) tick(sh *shipment) {
	if s.cfg.AutoAdvance <= 0 {
		return
	}
	now := s.cfg.Now()
	for len(sh.route) > 0 && now.Sub(sh.changed) >= s.cfg.AutoAdvance {
		s.step(sh, sh.changed.Add(s.cfg.AutoAdvance))
	}
}

func (s *Server) step(sh *shipment, at time.Time) {
	next := sh.route[0]
	sh.route = sh.route[1:]
	s.setStatus(sh, next, at)
}

func (s *Server) setStatus(sh *shipment, st svarut.Status, at time.Time) {
	sh.status = st
	sh.changed = at
	sh.history = append(sh.history, svarut.Event{At: at, Description: eventText(st)})
	if st.Final() {
		sh.route = nil
	}
}

// ErrUnknownShipment is returned by the test helpers for an id the fake never gave.
var ErrUnknownShipment = errors.New("svaruttest: unknown shipment")

// Advance moves the shipment one status along its route and returns the
// new status; at the end of the route it changes nothing.
func (s *Server) Advance(id string) (svarut.Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shipments[id]
	if !ok {
		return "", ErrUnknownShipment
	}
	if len(sh.route) > 0 {
		s.step(sh, s.cfg.Now())
	}
	return sh.status, nil
}

// Complete moves the shipment to the end of its route.
func (s *Server) Complete(id string) (svarut.Status, error) {
	for {
		before, err := s.Status(id)
		if err != nil {
			return "", err
		}
		after, _ := s.Advance(id)
		if after == before {
			return after, nil
		}
	}
}

// SetStatus forces a status (MANUELT_HANDTERT, say), ending the route when
// the status is final.
func (s *Server) SetStatus(id string, st svarut.Status) error {
	if !st.Known() {
		return fmt.Errorf("svaruttest: %w", svarut.ErrUnknownStatus)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shipments[id]
	if !ok {
		return ErrUnknownShipment
	}
	s.setStatus(sh, st, s.cfg.Now())
	return nil
}

// Status returns a shipment's current status.
func (s *Server) Status(id string) (svarut.Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shipments[id]
	if !ok {
		return "", ErrUnknownShipment
	}
	s.tick(sh)
	return sh.status, nil
}

// Unreachable marks a fødselsnummer or orgnr (digits) as having no digital
// mailbox: later shipments to it go to print, or end IKKE_LEVERT when digital-only.
func (s *Server) Unreachable(digitalID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unreachable[digitalID] = true
}

// AddReceivingSystem registers a mottakersystem for the look-up.
func (s *Server) AddReceivingSystem(rs svarut.ReceivingSystem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.systems = append(s.systems, rs)
}

// Shipments returns every shipment received, oldest first.
func (s *Server) Shipments() []Shipment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Shipment, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.view(s.shipments[id]))
	}
	return out
}

// Shipment returns one shipment.
func (s *Server) Shipment(id string) (Shipment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shipments[id]
	if !ok {
		return Shipment{}, false
	}
	return s.view(sh), true
}

// ByExternalRef returns the ids of the shipments with eksternReferanse ref.
func (s *Server) ByExternalRef(ref string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byRef("", ref)
}

func (s *Server) byRef(konto, ref string) []string {
	ids := []string{}
	for _, id := range s.order {
		sh := s.shipments[id]
		if sh.meta.ExternalRef == ref && (konto == "" || sh.konto == konto) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (s *Server) view(sh *shipment) Shipment {
	s.tick(sh)
	return Shipment{ID: sh.id, Shipment: sh.meta.Clone(), Files: slices.Clone(sh.files), Status: sh.status,
		History: slices.Clone(sh.history), ReadBy: sh.readBy, Deleted: sh.deleted}
}

func (s *Server) handleEksternRef(w http.ResponseWriter, r *http.Request) {
	konto, ok := s.kontoOK(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	ids := s.byRef(konto, r.URL.Query().Get("eksternRef"))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"forsendelseIds": ids})
}

func (s *Server) handleEksternRefMetadata(w http.ResponseWriter, r *http.Request) {
	konto, ok := s.kontoOK(w, r)
	if !ok {
		return
	}
	type meta struct {
		ID              string `json:"id"`
		Dato            string `json:"dato"`
		AvgivendeSystem string `json:"avgivendeSystem,omitempty"`
	}
	s.mu.Lock()
	list := []meta{}
	for _, id := range s.byRef(konto, r.URL.Query().Get("eksternRef")) {
		sh := s.shipments[id]
		list = append(list, meta{id, sh.received.Format(time.RFC3339Nano), sh.meta.SendingSystem})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"forsendelser": list})
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	konto, ok := s.kontoOK(w, r)
	if !ok {
		return
	}
	var req struct {
		IDs *[]string `json:"forsendelseIds"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.IDs == nil {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "forsendelseIds mangler", "")
		return
	}
	type st struct {
		ID                 string `json:"id"`
		SisteStatusEndring string `json:"sisteStatusEndring"`
		Status             string `json:"status"`
	}
	out := []st{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range *req.IDs {
		if !uuidRE.MatchString(id) {
			s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Ugyldig forsendelseId", "")
			return
		}
		sh, ok := s.shipments[id]
		if !ok || sh.konto != konto {
			continue
		}
		s.tick(sh)
		out = append(out, st{sh.id, sh.changed.Format(time.RFC3339Nano), string(sh.status)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"statuser": out})
}

// lookup finds the shipment of the {id} path value, or writes a 404.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (*shipment, bool) {
	id := r.PathValue("id")
	sh, ok := s.shipments[id]
	if !ok {
		s.writeError(w, r, http.StatusNotFound, "FORSENDELSE_IKKE_FUNNET", "Fant ikke forsendelsen", "")
		return nil, false
	}
	if s.cfg.KontoID != "" && sh.konto != s.cfg.KontoID {
		s.writeError(w, r, http.StatusNotFound, "FORSENDELSE_IKKE_FUNNET", "Fant ikke forsendelsen", "")
		return nil, false
	}
	s.tick(sh)
	return sh, true
}

func (s *Server) handleHendelser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.lookup(w, r)
	if !ok {
		return
	}
	type h struct {
		Tidspunkt string `json:"tidspunkt"`
		Hendelse  string `json:"hendelse"`
	}
	out := []h{}
	for _, e := range sh.history {
		out = append(out, h{e.At.Format(time.RFC3339Nano), e.Description})
	}
	writeJSON(w, http.StatusOK, map[string]any{"hendelser": out})
}

func (s *Server) handleSigneringshendelser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.lookup(w, r)
	if !ok {
		return
	}
	type h struct {
		Tidspunkt string `json:"tidspunkt"`
		Status    string `json:"status"`
		Hendelse  string `json:"hendelse"`
	}
	out := []h{}
	for _, d := range sh.meta.Documents {
		if d.Sign {
			out = append(out, h{sh.received.Format(time.RFC3339Nano), "VENTER_SIGNERING", "Signeringsoppdrag registrert"})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"hendelser": out})
}

func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.lookup(w, r)
	if !ok {
		return
	}
	type dm struct {
		Filnavn       string            `json:"filnavn"`
		MimeType      string            `json:"mimeType"`
		DokumentType  string            `json:"dokumentType"`
		Storrelse     int64             `json:"storrelse"`
		SHA256Hash    string            `json:"sha256Hash"`
		NedlasningURL string            `json:"nedlasningUrl"`
		KanSigneres   bool              `json:"kanSigneres"`
		EkstraMeta    []svarut.KeyValue `json:"ekstraMetadata,omitempty"`
		Sensitiv      bool              `json:"inneholderPersonsensitivInformasjon"`
	}
	out := []dm{}
	if sh.deleted == "" {
		for i, f := range sh.files {
			d := sh.meta.Documents[i]
			out = append(out, dm{f.Name, f.MimeType, d.DocumentType, f.Size, f.SHA256,
				fmt.Sprintf("%s/forsendelse/%s/%d", s.baseURL, sh.id, i+1), d.Sign, d.Extra, d.Sensitive})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dokumenter": out})
}

var fnrRE = regexp.MustCompile(`^[0-9]{11}$`)

func (s *Server) handleLest(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Fnr       string `json:"fnr"`
		Tidspunkt string `json:"tidspunkt"`
		System    string `json:"eksterntSystemnavn"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || !fnrRE.MatchString(req.Fnr) {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "fnr må være 11 siffer", "")
		return
	}
	at, err := time.Parse(time.RFC3339Nano, req.Tidspunkt)
	if err != nil {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "tidspunkt er ikke date-time", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.lookup(w, r)
	if !ok {
		return
	}
	sh.readBy = req.Fnr
	if !sh.status.Final() {
		s.setStatus(sh, svarut.StatusLest, at)
		sh.route = nil
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleSlett(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("slettetype")
	if kind == "" {
		kind = string(svarut.DeleteOriginals)
	}
	if kind != string(svarut.DeleteOriginals) && kind != string(svarut.DeleteAll) {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "Ugyldig slettetype", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.lookup(w, r)
	if !ok {
		return
	}
	sh.deleted = kind
	for i := range sh.files {
		sh.files[i].Content = nil
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleTyper(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"forsendelsestyper": s.cfg.ShipmentTypes})
}

var orgnrRE = regexp.MustCompile(`^[0-9]{9}$`)

func (s *Server) handleMottakersystem(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	org := q.Get("organisasjonsnummer")
	if org != "" && !orgnrRE.MatchString(org) {
		s.writeError(w, r, http.StatusBadRequest, "UGYLDIG_FORESPORSEL", "organisasjonsnummer må være 9 siffer", "")
		return
	}
	type ms struct {
		ID              string `json:"id"`
		Navn            string `json:"navn"`
		Org             string `json:"organisasjonsnummer"`
		ForsendelseType string `json:"forsendelseType"`
		Niva            int    `json:"niva"`
	}
	out := []ms{}
	s.mu.Lock()
	for _, m := range s.systems {
		if (org == "" || m.Orgnr == org) && (q.Get("forsendelseType") == "" || q.Get("forsendelseType") == m.ShipmentType) &&
			(q.Get("niva") == "" || q.Get("niva") == fmt.Sprint(m.Level)) {
			out = append(out, ms{m.ID, m.Name, m.Orgnr, m.ShipmentType, m.Level})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"mottakersystemer": out})
}

// zipFiles builds the ZIP that SvarInn delivers.
func zipFiles(files []IncomingFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		method := zip.Deflate
		if len(f.Content) >= 1<<20 {
			method = zip.Store // large test files: spare the compressor
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: method})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.Content); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
