/*
 * _snowfast: a compiled re-implementation of SnowNLP 0.12.3 sentiment scoring.
 *
 * Goal: bit-identical results to `SnowNLP(text).sentiments`.  Every floating-point
 * expression below is written in the same operation order as the Python source
 * (snownlp/seg/y09_2047.py, snownlp/classification/bayes.py) and calls the same libm
 * `log`/`exp` that CPython's math module calls.  Build without -ffast-math and with
 * -ffp-contract=off so that no operation is fused or reordered.
 *
 * Pieces:
 *   SegModel  - CharacterBasedGenerativeModel tables, read straight from the marshal
 *               bytes of snownlp/seg/seg.marshal.3 (no Python objects are created).
 *   TokenSet  - a set of strings (the stop words).
 *   Bayes     - snownlp's Bayes classifier (AddOneProb per class) over tokens.
 *   score / score_list - the whole `Sentiment.classify` pipeline: split on CJK runs and
 *               whitespace, decode CJK runs, drop stop words, classify.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ constants */

#define CJK_LO 0x4E00u
#define CJK_HI 0x9FA5u
#define NCHAR (CJK_HI - CJK_LO + 2) /* index 0 is the BOS character '' */
#define TAG_B 0
#define TAG_M 1
#define TAG_E 2
#define TAG_S 3
#define TAG_BOS 4
#define NTAG 5
#define PAIR_INVALID 0xFFFFFFFFu

static inline int is_cjk(Py_UCS4 c) { return c >= CJK_LO && c <= CJK_HI; }
static inline uint32_t char_index(Py_UCS4 c) { return (uint32_t)(c - CJK_LO + 1); }

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

/* ------------------------------------------------------------------ grouped tables
 * The bigram and trigram counts are grouped by their characters: one hash lookup per
 * character pair/triple returns every (tags, count) entry for it. */

typedef struct {
    uint64_t key;
    uint32_t tags;
    double count;
} Entry;

typedef struct {
    Entry *items;
    size_t n, cap;
} EntryVec;

typedef struct {
    uint64_t *keys; /* UINT64_MAX = empty */
    uint32_t *start;
    uint16_t *len;
    size_t mask;
    uint8_t *tags;
    double *counts;
    size_t nentries, ngroups;
} Groups;

static int entryvec_push(EntryVec *v, uint64_t key, uint32_t tags, double count)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4096;
        Entry *ni = realloc(v->items, nc * sizeof(Entry));
        if (!ni)
            return -1;
        v->items = ni;
        v->cap = nc;
    }
    v->items[v->n].key = key;
    v->items[v->n].tags = tags;
    v->items[v->n].count = count;
    v->n++;
    return 0;
}

static void groups_free(Groups *g)
{
    free(g->keys);
    free(g->start);
    free(g->len);
    free(g->tags);
    free(g->counts);
    memset(g, 0, sizeof(*g));
}

/* Group entries by key without sorting: count per key in the hash, give each group its
 * slice of the entry arrays, then place the entries. */
static int groups_build(Groups *g, EntryVec *v)
{
    size_t i, cap, next = 0;
    uint32_t *fill;
    memset(g, 0, sizeof(*g));
    cap = pow2_at_least(v->n * 2 + 1);
    g->keys = malloc(cap * sizeof(uint64_t));
    g->start = malloc(cap * sizeof(uint32_t));
    g->len = calloc(cap, sizeof(uint16_t));
    g->tags = malloc((v->n ? v->n : 1) * sizeof(uint8_t));
    g->counts = malloc((v->n ? v->n : 1) * sizeof(double));
    fill = calloc(cap, sizeof(uint32_t));
    if (!g->keys || !g->start || !g->len || !g->tags || !g->counts || !fill) {
        free(fill);
        groups_free(g);
        return -1;
    }
    memset(g->keys, 0xff, cap * sizeof(uint64_t));
    g->mask = cap - 1;
    g->nentries = v->n;
    for (i = 0; i < v->n; i++) {
        uint64_t key = v->items[i].key;
        size_t h = mix64(key) & g->mask;
        while (g->keys[h] != UINT64_MAX && g->keys[h] != key)
            h = (h + 1) & g->mask;
        if (g->keys[h] == UINT64_MAX) {
            g->keys[h] = key;
            g->ngroups++;
        }
        if (g->len[h] == 0xFFFF) {
            free(fill);
            groups_free(g);
            return -1;
        }
        g->len[h]++;
    }
    for (i = 0; i < cap; i++)
        if (g->keys[i] != UINT64_MAX) {
            g->start[i] = (uint32_t)next;
            next += g->len[i];
        }
    for (i = 0; i < v->n; i++) {
        uint64_t key = v->items[i].key;
        size_t h = mix64(key) & g->mask, at;
        while (g->keys[h] != key)
            h = (h + 1) & g->mask;
        at = g->start[h] + fill[h]++;
        g->tags[at] = (uint8_t)v->items[i].tags;
        g->counts[at] = v->items[i].count;
    }
    free(fill);
    return 0;
}

static inline size_t groups_find(const Groups *g, uint64_t key, uint32_t *start)
{
    size_t h = mix64(key) & g->mask;
    for (;;) {
        uint64_t k = g->keys[h];
        if (k == key) {
            *start = g->start[h];
            return g->len[h];
        }
        if (k == UINT64_MAX)
            return 0;
        h = (h + 1) & g->mask;
    }
}

/* ------------------------------------------------------------------ marshal reader
 * Reads the subset of CPython's marshal format (versions 2-4) that snownlp's model
 * files use, without creating Python objects.  Objects written with FLAG_REF are
 * remembered in pre-order, exactly as marshal.loads does, so that TYPE_REF works. */

enum { V_NONE, V_NUM, V_STR, V_PAIR, V_TUP, V_STRS, V_OTHER };

typedef struct {
    uint8_t kind;
    uint8_t n;     /* tuple length for V_TUP/V_STRS */
    uint8_t utf8;  /* V_STR: 1 = UTF-8 payload, 0 = ASCII/Latin-1 */
    uint32_t len;  /* V_STR: byte length; V_STRS: packed tags */
    union {
        double num;
        uint32_t off;   /* V_STR */
        uint64_t code;  /* V_PAIR / V_TUP: packed pair codes, UINT64_MAX = unusable */
    } u;
} Val;

enum { CTX_NONE, CTX_TOP, CTX_UNI, CTX_BI, CTX_TRI, CTX_UNI_D, CTX_BI_D, CTX_TRI_D };

typedef struct {
    const unsigned char *buf, *p, *end;
    Val *refs;
    size_t nrefs, caprefs;
    const char *err;
    /* what we collect */
    double l[3];
    int have_l[3];
    int have_status;
    double *uni;
    double uni_total;
    int have_uni_total;
    double none[3];
    EntryVec bi, tri;
} MR;

static int mr_fail(MR *m, const char *msg)
{
    if (!m->err)
        m->err = msg;
    return -1;
}

static int mr_need(MR *m, size_t n)
{
    if ((size_t)(m->end - m->p) < n)
        return mr_fail(m, "truncated marshal data");
    return 0;
}

static int32_t rd_i32(MR *m)
{
    uint32_t v = (uint32_t)m->p[0] | ((uint32_t)m->p[1] << 8) | ((uint32_t)m->p[2] << 16) |
                 ((uint32_t)m->p[3] << 24);
    m->p += 4;
    return (int32_t)v;
}

static int ref_reserve(MR *m, size_t *idx)
{
    if (m->nrefs == m->caprefs) {
        size_t nc = m->caprefs ? m->caprefs * 2 : 65536;
        Val *nr = realloc(m->refs, nc * sizeof(Val));
        if (!nr)
            return mr_fail(m, "out of memory");
        m->refs = nr;
        m->caprefs = nc;
    }
    *idx = m->nrefs++;
    m->refs[*idx].kind = V_OTHER;
    return 0;
}

/* Decode a marshal string that holds zero or one character. Returns 0 for '', the
 * code point otherwise, or -1 if it is longer or malformed. */
static int64_t str_single_char(const MR *m, const Val *v)
{
    const unsigned char *s = m->buf + v->u.off;
    uint32_t n = v->len;
    if (n == 0)
        return 0;
    if (!v->utf8)
        return n == 1 ? (int64_t)s[0] : -1;
    if (n == 1 && s[0] < 0x80)
        return s[0];
    if (n == 2 && (s[0] & 0xE0) == 0xC0)
        return ((s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    if (n == 3 && (s[0] & 0xF0) == 0xE0)
        return ((s[0] & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    if (n == 4 && (s[0] & 0xF8) == 0xF0)
        return ((int64_t)(s[0] & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) |
               (s[3] & 0x3F);
    return -1;
}

static int str_eq(const MR *m, const Val *v, const char *lit)
{
    size_t n = strlen(lit);
    return v->kind == V_STR && v->len == n && memcmp(m->buf + v->u.off, lit, n) == 0;
}

static int tag_of(const MR *m, const Val *v)
{
    if (str_eq(m, v, "b"))
        return TAG_B;
    if (str_eq(m, v, "m"))
        return TAG_M;
    if (str_eq(m, v, "e"))
        return TAG_E;
    if (str_eq(m, v, "s"))
        return TAG_S;
    if (str_eq(m, v, "BOS"))
        return TAG_BOS;
    return -1;
}

/* A (character, tag) pair as queried by the decoder: ('', 'BOS') or (CJK, b/m/e/s).
 * Anything else can never be looked up, so it is marked unusable. */
static uint32_t pair_code(const MR *m, const Val *c, const Val *t)
{
    int64_t cp;
    int tag;
    if (c->kind != V_STR || t->kind != V_STR)
        return PAIR_INVALID;
    cp = str_single_char(m, c);
    tag = tag_of(m, t);
    if (tag < 0 || cp < 0)
        return PAIR_INVALID;
    if (cp == 0 && c->len == 0)
        return tag == TAG_BOS ? (uint32_t)TAG_BOS : PAIR_INVALID;
    if (tag == TAG_BOS || !is_cjk((Py_UCS4)cp))
        return PAIR_INVALID;
    return char_index((Py_UCS4)cp) * NTAG + (uint32_t)tag;
}

static int rd(MR *m, Val *out, int ctx, int depth);

static int handle_entry(MR *m, int ctx, const Val *key, const Val *val)
{
    if (val->kind != V_NUM)
        return mr_fail(m, "model table value is not a number");
    if (ctx == CTX_UNI_D) {
        if (key->kind == V_PAIR && key->u.code != PAIR_INVALID)
            m->uni[key->u.code] = val->u.num;
        return 0;
    }
    if (key->kind != V_TUP || key->u.code == UINT64_MAX)
        return 0;
    if (ctx == CTX_BI_D && key->n == 2) {
        uint32_t a = (uint32_t)(key->u.code >> 17), b = (uint32_t)(key->u.code & 0x1FFFF);
        uint64_t ck = (uint64_t)(a / NTAG) * NCHAR + b / NTAG;
        uint32_t tags = (a % NTAG) * NTAG + b % NTAG;
        if (entryvec_push(&m->bi, ck, tags, val->u.num) < 0)
            return mr_fail(m, "out of memory");
    }
    else if (ctx == CTX_TRI_D && key->n == 3) {
        uint32_t a = (uint32_t)(key->u.code >> 34), b = (uint32_t)((key->u.code >> 17) & 0x1FFFF),
                 c = (uint32_t)(key->u.code & 0x1FFFF);
        uint64_t ck = ((uint64_t)(a / NTAG) * NCHAR + b / NTAG) * NCHAR + c / NTAG;
        uint32_t tags = ((a % NTAG) * NTAG + b % NTAG) * NTAG + c % NTAG;
        if (entryvec_push(&m->tri, ck, tags, val->u.num) < 0)
            return mr_fail(m, "out of memory");
    }
    return 0;
}

static int handle_field(MR *m, int ctx, const Val *key, const Val *val)
{
    if (ctx == CTX_TOP) {
        static const char *ls[3] = {"l1", "l2", "l3"};
        int i;
        for (i = 0; i < 3; i++)
            if (str_eq(m, key, ls[i])) {
                if (val->kind != V_NUM)
                    return mr_fail(m, "model weight is not a number");
                m->l[i] = val->u.num;
                m->have_l[i] = 1;
            }
        if (str_eq(m, key, "status")) {
            /* the decoder hard-codes the order b, m, e, s */
            if (val->kind != V_STRS || val->n != 4 || val->len != 0x03020100u)
                return mr_fail(m, "model status is not ('b', 'm', 'e', 's')");
            m->have_status = 1;
        }
        return 0;
    }
    if (ctx == CTX_UNI || ctx == CTX_BI || ctx == CTX_TRI) {
        int which = ctx - CTX_UNI;
        if (str_eq(m, key, "none")) {
            if (val->kind != V_NUM)
                return mr_fail(m, "'none' is not a number");
            m->none[which] = val->u.num;
        }
        if (ctx == CTX_UNI && str_eq(m, key, "total")) {
            if (val->kind != V_NUM)
                return mr_fail(m, "'total' is not a number");
            m->uni_total = val->u.num;
            m->have_uni_total = 1;
        }
    }
    return 0;
}

static int value_ctx(MR *m, int ctx, const Val *key)
{
    if (ctx == CTX_TOP) {
        if (str_eq(m, key, "uni"))
            return CTX_UNI;
        if (str_eq(m, key, "bi"))
            return CTX_BI;
        if (str_eq(m, key, "tri"))
            return CTX_TRI;
    }
    if ((ctx == CTX_UNI || ctx == CTX_BI || ctx == CTX_TRI) && str_eq(m, key, "d"))
        return ctx - CTX_UNI + CTX_UNI_D;
    return CTX_NONE;
}

static int rd_dict(MR *m, int ctx, int depth)
{
    for (;;) {
        Val key, val;
        int vctx;
        if (mr_need(m, 1) < 0)
            return -1;
        if ((m->p[0] & 0x7F) == '0') {
            m->p++;
            return 0;
        }
        if (rd(m, &key, CTX_NONE, depth + 1) < 0)
            return -1;
        vctx = value_ctx(m, ctx, &key);
        if (rd(m, &val, vctx, depth + 1) < 0)
            return -1;
        if (ctx == CTX_UNI_D || ctx == CTX_BI_D || ctx == CTX_TRI_D) {
            if (handle_entry(m, ctx, &key, &val) < 0)
                return -1;
        }
        else if (handle_field(m, ctx, &key, &val) < 0)
            return -1;
    }
}

static int rd_tuple(MR *m, Val *out, size_t n, int depth)
{
    Val items[4];
    size_t i;
    for (i = 0; i < n; i++) {
        Val tmp;
        if (rd(m, i < 4 ? &items[i] : &tmp, CTX_NONE, depth + 1) < 0)
            return -1;
    }
    out->kind = V_OTHER;
    if (n == 2 && items[0].kind == V_STR && items[1].kind == V_STR) {
        out->kind = V_PAIR;
        out->u.code = pair_code(m, &items[0], &items[1]);
        if (out->u.code == PAIR_INVALID)
            out->u.code = PAIR_INVALID; /* keep kind: a pair nobody can query */
        return 0;
    }
    if ((n == 2 || n == 3) && items[0].kind == V_PAIR) {
        uint64_t code = 0;
        for (i = 0; i < n; i++) {
            if (items[i].kind != V_PAIR)
                return 0;
            if (items[i].u.code == PAIR_INVALID)
                code = UINT64_MAX;
            else if (code != UINT64_MAX)
                code = (code << 17) | items[i].u.code;
        }
        out->kind = V_TUP;
        out->n = (uint8_t)n;
        out->u.code = code;
        return 0;
    }
    if (n >= 1 && n <= 4) {
        uint32_t packed = 0;
        for (i = 0; i < n; i++) {
            int t = tag_of(m, &items[i]);
            if (items[i].kind != V_STR || t < 0 || t == TAG_BOS)
                return 0;
            packed |= (uint32_t)t << (8 * i);
        }
        out->kind = V_STRS;
        out->n = (uint8_t)n;
        out->len = packed;
    }
    return 0;
}

static int rd(MR *m, Val *out, int ctx, int depth)
{
    int code, flag;
    size_t idx = 0;
    if (depth > 64)
        return mr_fail(m, "marshal data nested too deeply");
    if (mr_need(m, 1) < 0)
        return -1;
    code = m->p[0] & 0x7F;
    flag = m->p[0] & 0x80;
    m->p++;
    memset(out, 0, sizeof(*out));
    out->kind = V_OTHER;
    if (flag && code != 'r' && ref_reserve(m, &idx) < 0)
        return -1;
    switch (code) {
    case 'N':
    case 'F':
    case 'T':
    case 'S':
    case '.':
        out->kind = V_NONE;
        if (code == 'F' || code == 'T') {
            out->kind = V_NUM;
            out->u.num = code == 'T' ? 1.0 : 0.0;
        }
        break;
    case 'i':
        if (mr_need(m, 4) < 0)
            return -1;
        out->kind = V_NUM;
        out->u.num = (double)rd_i32(m);
        break;
    case 'l': {
        int32_t nd;
        size_t k, cnt;
        double v = 0.0;
        if (mr_need(m, 4) < 0)
            return -1;
        nd = rd_i32(m);
        cnt = (size_t)(nd < 0 ? -(int64_t)nd : nd);
        if (mr_need(m, cnt * 2) < 0)
            return -1;
        /* only small integers are exact here; model counts are far below 2**53 */
        for (k = cnt; k-- > 0;)
            v = v * 32768.0 + (double)(m->p[2 * k] | (m->p[2 * k + 1] << 8));
        m->p += cnt * 2;
        out->kind = V_NUM;
        out->u.num = nd < 0 ? -v : v;
        break;
    }
    case 'g': {
        double d;
        if (mr_need(m, 8) < 0)
            return -1;
        d = PyFloat_Unpack8((const char *)m->p, 1);
        if (d == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return mr_fail(m, "bad float");
        }
        m->p += 8;
        out->kind = V_NUM;
        out->u.num = d;
        break;
    }
    case 'f': {
        char tmp[64];
        size_t n;
        char *endp;
        if (mr_need(m, 1) < 0)
            return -1;
        n = m->p[0];
        m->p++;
        if (mr_need(m, n) < 0 || n >= sizeof(tmp))
            return mr_fail(m, "bad float");
        memcpy(tmp, m->p, n);
        tmp[n] = 0;
        m->p += n;
        out->kind = V_NUM;
        out->u.num = PyOS_string_to_double(tmp, &endp, NULL);
        if (PyErr_Occurred()) {
            PyErr_Clear();
            return mr_fail(m, "bad float");
        }
        break;
    }
    case 'u':
    case 't':
    case 'a':
    case 'A':
    case 's': {
        int32_t n;
        if (mr_need(m, 4) < 0)
            return -1;
        n = rd_i32(m);
        if (n < 0 || mr_need(m, (size_t)n) < 0)
            return mr_fail(m, "bad string");
        out->kind = V_STR;
        out->utf8 = (code == 'u' || code == 't');
        out->len = (uint32_t)n;
        out->u.off = (uint32_t)(m->p - m->buf);
        m->p += n;
        break;
    }
    case 'z':
    case 'Z': {
        size_t n;
        if (mr_need(m, 1) < 0)
            return -1;
        n = m->p[0];
        m->p++;
        if (mr_need(m, n) < 0)
            return -1;
        out->kind = V_STR;
        out->utf8 = 0;
        out->len = (uint32_t)n;
        out->u.off = (uint32_t)(m->p - m->buf);
        m->p += n;
        break;
    }
    case 'r': {
        int32_t i;
        if (mr_need(m, 4) < 0)
            return -1;
        i = rd_i32(m);
        if (i < 0 || (size_t)i >= m->nrefs)
            return mr_fail(m, "bad marshal reference");
        *out = m->refs[i];
        return 0;
    }
    case ')':
    case '(': {
        size_t n;
        if (code == ')') {
            if (mr_need(m, 1) < 0)
                return -1;
            n = m->p[0];
            m->p++;
        }
        else {
            int32_t nn;
            if (mr_need(m, 4) < 0)
                return -1;
            nn = rd_i32(m);
            if (nn < 0)
                return mr_fail(m, "bad tuple");
            n = (size_t)nn;
        }
        if (rd_tuple(m, out, n, depth) < 0)
            return -1;
        break;
    }
    case '[':
    case '<':
    case '>': {
        int32_t n, k;
        if (mr_need(m, 4) < 0)
            return -1;
        n = rd_i32(m);
        if (n < 0)
            return mr_fail(m, "bad list");
        for (k = 0; k < n; k++) {
            Val tmp;
            if (rd(m, &tmp, CTX_NONE, depth + 1) < 0)
                return -1;
        }
        out->kind = V_OTHER;
        break;
    }
    case '{':
        if (rd_dict(m, ctx, depth) < 0)
            return -1;
        out->kind = V_OTHER;
        break;
    default:
        return mr_fail(m, "unsupported marshal type in model file");
    }
    if (flag)
        m->refs[idx] = *out;
    return 0;
}

/* ------------------------------------------------------------------ SegModel */

typedef struct {
    PyObject_HEAD
    double l1, l2, l3, uni_total;
    double *uni; /* NCHAR * NTAG counts, indexed by pair code */
    Groups bi;   /* key: c1 * NCHAR + c2, tags: t1 * 5 + t2 */
    Groups tri;  /* key: (c1 * NCHAR + c2) * NCHAR + c3, tags: (t1 * 5 + t2) * 5 + t3 */
} SegModel;

static void SegModel_dealloc(SegModel *self)
{
    free(self->uni);
    groups_free(&self->bi);
    groups_free(&self->tri);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int SegModel_init(SegModel *self, PyObject *args, PyObject *kwds)
{
    Py_buffer view;
    MR m;
    int rc = -1;
    static char *kwlist[] = {"data", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*", kwlist, &view))
        return -1;
    if (self->uni) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_RuntimeError, "SegModel already initialised");
        return -1;
    }
    memset(&m, 0, sizeof(m));
    m.buf = m.p = (const unsigned char *)view.buf;
    m.end = m.buf + view.len;
    m.uni = calloc((size_t)NCHAR * NTAG, sizeof(double));
    if (!m.uni) {
        PyErr_NoMemory();
        goto done;
    }
    if ((size_t)view.len > 0xFFFFFFF0u) {
        PyErr_SetString(PyExc_ValueError, "model data too large");
        goto done;
    }
    rc = rd(&m, &(Val){0}, CTX_TOP, 0);
    if (rc < 0) {
        PyErr_Format(PyExc_ValueError, "cannot read SnowNLP segmentation model: %s", m.err);
        rc = -1;
        goto done;
    }
    rc = -1;
    if (!m.have_l[0] || !m.have_l[1] || !m.have_l[2] || !m.have_status || !m.have_uni_total) {
        PyErr_SetString(PyExc_ValueError,
                        "SnowNLP segmentation model lacks l1/l2/l3/status/uni.total");
        goto done;
    }
    if (m.none[0] != 0 || m.none[1] != 0 || m.none[2] != 0) {
        PyErr_SetString(PyExc_ValueError, "SnowNLP segmentation model has non-zero 'none' counts");
        goto done;
    }
    if (groups_build(&self->bi, &m.bi) < 0 || groups_build(&self->tri, &m.tri) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    self->l1 = m.l[0];
    self->l2 = m.l[1];
    self->l3 = m.l[2];
    self->uni_total = m.uni_total;
    self->uni = m.uni;
    m.uni = NULL;
    rc = 0;
done:
    free(m.uni);
    free(m.refs);
    free(m.bi.items);
    free(m.tri.items);
    PyBuffer_Release(&view);
    return rc;
}

/* Decoder scratch, grown as needed; one per call so that calls can run in parallel. */
typedef struct {
    int8_t *from; /* per position: 16 x chosen predecessor index in the previous list */
    int8_t *tag;  /* per position: 16 x current tag of the list entry */
    uint8_t *tags; /* decoded tag per character */
    size_t cap;
} DecodeBuf;

static int decodebuf_reserve(DecodeBuf *b, size_t n)
{
    if (n <= b->cap)
        return 0;
    {
        size_t nc = pow2_at_least(n);
        int8_t *f = realloc(b->from, nc * 16);
        int8_t *t;
        uint8_t *g;
        if (!f)
            return -1;
        b->from = f;
        t = realloc(b->tag, nc * 16);
        if (!t)
            return -1;
        b->tag = t;
        g = realloc(b->tags, nc);
        if (!g)
            return -1;
        b->tags = g;
        b->cap = nc;
    }
    return 0;
}

static void decodebuf_free(DecodeBuf *b)
{
    free(b->from);
    free(b->tag);
    free(b->tags);
    memset(b, 0, sizeof(*b));
}

typedef struct {
    uint8_t t1, t2; /* tags of the pairs at i-2 and i-1 (TAG_BOS before the start) */
    double p;
} State;

/* CharacterBasedGenerativeModel.tag over a run of CJK characters.  The `now` list and
 * the `stage` dict of the Python code are mirrored literally: entries keep insertion
 * order, a key is replaced only on a strictly greater score (or, for an unknown
 * character, by the last candidate), and the final pick is the first maximum. */
static int decode_run(const SegModel *M, const Py_UCS4 *text, size_t n, DecodeBuf *buf)
{
    State now[16], next[16];
    int nnow = 1, nnext, k;
    uint32_t c1 = 0, c2 = 0; /* character indices at i-2, i-1 (0 = BOS '') */
    double bi12[NTAG][NTAG], bi23[NTAG][NTAG];
    double tri[NTAG][NTAG][4];
    double u2[NTAG];
    size_t i;
    uint32_t st;
    size_t gl;

    if (decodebuf_reserve(buf, n) < 0)
        return -1;
    now[0].t1 = TAG_BOS;
    now[0].t2 = TAG_BOS;
    now[0].p = 0.0;

    memset(bi12, 0, sizeof(bi12));
    gl = groups_find(&M->bi, 0, &st);
    for (k = 0; k < (int)gl; k++)
        bi12[M->bi.tags[st + k] / NTAG][M->bi.tags[st + k] % NTAG] = M->bi.counts[st + k];

    for (i = 0; i < n; i++) {
        uint32_t c3 = char_index(text[i]);
        double u3[4];
        int found = 0, s, j, t;
        int8_t idx[NTAG][4];
        double base[NTAG][4];
        uint8_t have_base[NTAG][4];
        int has_tri = 0;

        for (s = 0; s < 4; s++) {
            u3[s] = M->uni[c3 * NTAG + s];
            if (u3[s] / M->uni_total != 0)
                found = 1;
        }
        for (t = 0; t < NTAG; t++)
            u2[t] = M->uni[c2 * NTAG + t];
        memset(idx, -1, sizeof(idx));
        nnext = 0;

        if (!found) {
            for (s = 0; s < 4; s++)
                for (j = 0; j < nnow; j++) {
                    int a = now[j].t2;
                    int e = idx[a][s];
                    if (e < 0) {
                        e = idx[a][s] = (int8_t)nnext++;
                        next[e].t1 = (uint8_t)a;
                        next[e].t2 = (uint8_t)s;
                    }
                    next[e].p = now[j].p;
                    buf->from[i * 16 + e] = (int8_t)j;
                    buf->tag[i * 16 + e] = (int8_t)s;
                }
        }
        else {
            memset(bi23, 0, sizeof(bi23));
            gl = groups_find(&M->bi, (uint64_t)c2 * NCHAR + c3, &st);
            for (k = 0; k < (int)gl; k++)
                bi23[M->bi.tags[st + k] / NTAG][M->bi.tags[st + k] % NTAG] = M->bi.counts[st + k];
            gl = groups_find(&M->tri, ((uint64_t)c1 * NCHAR + c2) * NCHAR + c3, &st);
            if (gl) {
                memset(tri, 0, sizeof(tri));
                has_tri = 1;
                for (k = 0; k < (int)gl; k++) {
                    unsigned tg = M->tri.tags[st + k];
                    if (tg % NTAG < 4)
                        tri[tg / (NTAG * NTAG)][(tg / NTAG) % NTAG][tg % NTAG] = M->tri.counts[st + k];
                }
            }
            memset(have_base, 0, sizeof(have_base));
            for (s = 0; s < 4; s++)
                for (j = 0; j < nnow; j++) {
                    int a1 = now[j].t1, a = now[j].t2, e;
                    double lp, p;
                    /* log_prob(s1, s2, s3) in the Python operation order */
                    if (has_tri && tri[a1][a][s] != 0) {
                        double uni = M->l1 * (u3[s] / M->uni_total);
                        double bi = u2[a] == 0 ? 0.0 : (M->l2 * bi23[a][s]) / u2[a];
                        double tr = bi12[a1][a] == 0 ? 0.0 : (M->l3 * tri[a1][a][s]) / bi12[a1][a];
                        double sum = uni + bi;
                        sum = sum + tr;
                        lp = sum == 0 ? -INFINITY : log(sum);
                    }
                    else {
                        /* no trigram count: tri is 0 and uni + bi + 0 == uni + bi */
                        if (!have_base[a][s]) {
                            double uni = M->l1 * (u3[s] / M->uni_total);
                            double bi = u2[a] == 0 ? 0.0 : (M->l2 * bi23[a][s]) / u2[a];
                            double sum = uni + bi;
                            base[a][s] = sum == 0 ? -INFINITY : log(sum);
                            have_base[a][s] = 1;
                        }
                        lp = base[a][s];
                    }
                    p = now[j].p + lp;
                    e = idx[a][s];
                    if (e < 0) {
                        e = idx[a][s] = (int8_t)nnext++;
                        next[e].t1 = (uint8_t)a;
                        next[e].t2 = (uint8_t)s;
                        next[e].p = p;
                        buf->from[i * 16 + e] = (int8_t)j;
                        buf->tag[i * 16 + e] = (int8_t)s;
                    }
                    else if (p > next[e].p) {
                        next[e].p = p;
                        buf->from[i * 16 + e] = (int8_t)j;
                    }
                }
        }
        /* bigram counts of (c_{i-1}, c_i) are the (c_{i-2}, c_{i-1}) counts of i+1 */
        if (!found) {
            memset(bi23, 0, sizeof(bi23));
            gl = groups_find(&M->bi, (uint64_t)c2 * NCHAR + c3, &st);
            for (k = 0; k < (int)gl; k++)
                bi23[M->bi.tags[st + k] / NTAG][M->bi.tags[st + k] % NTAG] = M->bi.counts[st + k];
        }
        memcpy(bi12, bi23, sizeof(bi12));
        memcpy(now, next, sizeof(State) * (size_t)nnext);
        nnow = nnext;
        c1 = c2;
        c2 = c3;
    }
    /* max(now, key=prob): the first maximum wins */
    {
        int best = 0, j;
        size_t pos;
        for (j = 1; j < nnow; j++)
            if (now[j].p > now[best].p)
                best = j;
        for (pos = n; pos-- > 0;) {
            buf->tags[pos] = (uint8_t)buf->tag[pos * 16 + best];
            best = buf->from[pos * 16 + best];
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ token tables */

typedef struct {
    uint64_t *hash;
    uint32_t *off;
    uint32_t *len;
    int32_t *row; /* -1 = empty slot */
    size_t mask, n;
    Py_UCS4 *pool;
    size_t pool_n, pool_cap;
} TokTab;

static inline uint64_t tok_hash(const Py_UCS4 *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001B3ULL;
    return mix64(h);
}

static void toktab_free(TokTab *t)
{
    free(t->hash);
    free(t->off);
    free(t->len);
    free(t->row);
    free(t->pool);
    memset(t, 0, sizeof(*t));
}

static int toktab_init(TokTab *t, size_t expected)
{
    size_t cap = pow2_at_least(expected * 2 + 1);
    memset(t, 0, sizeof(*t));
    t->hash = malloc(cap * sizeof(uint64_t));
    t->off = malloc(cap * sizeof(uint32_t));
    t->len = malloc(cap * sizeof(uint32_t));
    t->row = malloc(cap * sizeof(int32_t));
    if (!t->hash || !t->off || !t->len || !t->row) {
        toktab_free(t);
        return -1;
    }
    memset(t->row, 0xff, cap * sizeof(int32_t));
    t->mask = cap - 1;
    return 0;
}

static inline int32_t toktab_find(const TokTab *t, const Py_UCS4 *s, size_t n)
{
    uint64_t h;
    size_t i;
    if (!t->row)
        return -1;
    h = tok_hash(s, n);
    i = h & t->mask;
    for (;;) {
        int32_t r = t->row[i];
        if (r < 0)
            return -1;
        if (t->hash[i] == h && t->len[i] == n && memcmp(t->pool + t->off[i], s, n * sizeof(Py_UCS4)) == 0)
            return r;
        i = (i + 1) & t->mask;
    }
}

/* Insert (or find) a token; returns its row, a new row being `t->n` before the call. */
static int32_t toktab_insert(TokTab *t, const Py_UCS4 *s, size_t n)
{
    uint64_t h = tok_hash(s, n);
    size_t i;
    if ((t->n + 1) * 2 > t->mask + 1) {
        /* grow */
        TokTab nt;
        size_t k;
        if (toktab_init(&nt, (t->n + 1) * 2) < 0)
            return -2;
        for (k = 0; k <= t->mask; k++)
            if (t->row[k] >= 0) {
                size_t j = t->hash[k] & nt.mask;
                while (nt.row[j] >= 0)
                    j = (j + 1) & nt.mask;
                nt.hash[j] = t->hash[k];
                nt.off[j] = t->off[k];
                nt.len[j] = t->len[k];
                nt.row[j] = t->row[k];
            }
        nt.n = t->n;
        nt.pool = t->pool;
        nt.pool_n = t->pool_n;
        nt.pool_cap = t->pool_cap;
        t->pool = NULL;
        toktab_free(t);
        *t = nt;
    }
    i = h & t->mask;
    for (;;) {
        int32_t r = t->row[i];
        if (r < 0)
            break;
        if (t->hash[i] == h && t->len[i] == n && memcmp(t->pool + t->off[i], s, n * sizeof(Py_UCS4)) == 0)
            return r;
        i = (i + 1) & t->mask;
    }
    if (t->pool_n + n > t->pool_cap) {
        size_t nc = t->pool_cap ? t->pool_cap : 4096;
        Py_UCS4 *np;
        while (nc < t->pool_n + n)
            nc *= 2;
        np = realloc(t->pool, nc * sizeof(Py_UCS4));
        if (!np)
            return -2;
        t->pool = np;
        t->pool_cap = nc;
    }
    if (n)
        memcpy(t->pool + t->pool_n, s, n * sizeof(Py_UCS4));
    t->hash[i] = h;
    t->off[i] = (uint32_t)t->pool_n;
    t->len[i] = (uint32_t)n;
    t->row[i] = (int32_t)t->n;
    t->pool_n += n;
    return (int32_t)t->n++;
}

/* Copy a str into a UCS4 buffer (grown as needed). */
static Py_UCS4 *ucs4_of(PyObject *s, Py_UCS4 **buf, size_t *cap, Py_ssize_t *n)
{
    Py_ssize_t len, i;
    int kind;
    const void *data;
    if (PyUnicode_READY(s) < 0) /* a no-op for every str but deprecated legacy ones */
        return NULL;
    len = PyUnicode_GET_LENGTH(s);
    kind = PyUnicode_KIND(s);
    data = PyUnicode_DATA(s);
    if ((size_t)len + 1 > *cap) {
        size_t nc = pow2_at_least((size_t)len + 1);
        Py_UCS4 *nb = realloc(*buf, nc * sizeof(Py_UCS4));
        if (!nb)
            return NULL;
        *buf = nb;
        *cap = nc;
    }
    for (i = 0; i < len; i++)
        (*buf)[i] = PyUnicode_READ(kind, data, i);
    *n = len;
    return *buf;
}

/* ------------------------------------------------------------------ TokenSet */

typedef struct {
    PyObject_HEAD
    TokTab tab;
} TokenSet;

static void TokenSet_dealloc(TokenSet *self)
{
    toktab_free(&self->tab);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int TokenSet_init(TokenSet *self, PyObject *args, PyObject *kwds)
{
    PyObject *iterable, *it, *item;
    Py_UCS4 *buf = NULL;
    size_t cap = 0;
    static char *kwlist[] = {"words", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O", kwlist, &iterable))
        return -1;
    if (self->tab.row) {
        PyErr_SetString(PyExc_RuntimeError, "TokenSet already initialised");
        return -1;
    }
    if (toktab_init(&self->tab, 1024) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    it = PyObject_GetIter(iterable);
    if (!it)
        return -1;
    while ((item = PyIter_Next(it))) {
        Py_ssize_t n;
        if (!PyUnicode_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "TokenSet words must be str");
            Py_DECREF(item);
            break;
        }
        if (!ucs4_of(item, &buf, &cap, &n) || toktab_insert(&self->tab, buf, (size_t)n) < -1) {
            PyErr_NoMemory();
            Py_DECREF(item);
            break;
        }
        Py_DECREF(item);
    }
    Py_DECREF(it);
    free(buf);
    return PyErr_Occurred() ? -1 : 0;
}

static int TokenSet_contains(TokenSet *self, PyObject *key)
{
    Py_UCS4 *buf = NULL;
    size_t cap = 0;
    Py_ssize_t n;
    int r;
    if (!PyUnicode_Check(key))
        return 0;
    if (!ucs4_of(key, &buf, &cap, &n)) {
        PyErr_NoMemory();
        return -1;
    }
    r = toktab_find(&self->tab, buf, (size_t)n) >= 0;
    free(buf);
    return r;
}

static Py_ssize_t TokenSet_len(TokenSet *self) { return (Py_ssize_t)self->tab.n; }

/* ------------------------------------------------------------------ Bayes */

typedef struct {
    PyObject_HEAD
    int nclass;
    int pos_index;      /* index of the class named 'pos', or -1 */
    double *prior;      /* log(total_k) - log(total), or NaN if a log is undefined */
    double *logfreq;    /* rows x nclass: log(count / total_k); NaN if undefined */
    double *lognone;    /* nclass: log(none_k / total_k) */
    TokTab vocab;
    PyObject *names;    /* tuple of class names */
} Bayes;

static void Bayes_dealloc(Bayes *self)
{
    free(self->prior);
    free(self->logfreq);
    free(self->lognone);
    toktab_free(&self->vocab);
    Py_XDECREF(self->names);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* math.log semantics: NaN marks "math domain error" (raised at classification time). */
static double py_log(double x) { return x > 0.0 ? log(x) : NAN; }

static int as_double(PyObject *o, double *out)
{
    PyObject *f = PyNumber_Float(o);
    if (!f)
        return -1;
    *out = PyFloat_AS_DOUBLE(f);
    Py_DECREF(f);
    return 0;
}

/* Bayes(names, totals, nones, total, tables): the content of a snownlp Bayes model,
 * classes in the model's dict order.  tables[k] maps token -> count for class k. */
static int Bayes_init(Bayes *self, PyObject *args, PyObject *kwds)
{
    PyObject *names, *totals, *nones, *total_o, *tables;
    double total, *tot = NULL, *non = NULL, *counts = NULL;
    size_t rows_cap = 0, k, K;
    Py_UCS4 *buf = NULL;
    size_t bufcap = 0;
    int rc = -1;
    static char *kwlist[] = {"names", "totals", "nones", "total", "tables", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!OO!", kwlist, &PyTuple_Type, &names,
                                     &PyList_Type, &totals, &PyList_Type, &nones, &total_o,
                                     &PyList_Type, &tables))
        return -1;
    if (self->prior) {
        PyErr_SetString(PyExc_RuntimeError, "Bayes already initialised");
        return -1;
    }
    K = (size_t)PyTuple_GET_SIZE(names);
    if ((size_t)PyList_GET_SIZE(totals) != K || (size_t)PyList_GET_SIZE(nones) != K ||
        (size_t)PyList_GET_SIZE(tables) != K) {
        PyErr_SetString(PyExc_ValueError, "names, totals, nones and tables differ in length");
        return -1;
    }
    if (as_double(total_o, &total) < 0)
        return -1;
    self->nclass = (int)K;
    self->pos_index = -1;
    self->prior = calloc(K ? K : 1, sizeof(double));
    self->lognone = calloc(K ? K : 1, sizeof(double));
    tot = calloc(K ? K : 1, sizeof(double));
    non = calloc(K ? K : 1, sizeof(double));
    if (!self->prior || !self->lognone || !tot || !non || toktab_init(&self->vocab, 4096) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    for (k = 0; k < K; k++) {
        PyObject *name = PyTuple_GET_ITEM(names, k);
        if (as_double(PyList_GET_ITEM(totals, k), &tot[k]) < 0 ||
            as_double(PyList_GET_ITEM(nones, k), &non[k]) < 0)
            goto done;
        if (self->pos_index < 0 && PyUnicode_Check(name) &&
            PyUnicode_CompareWithASCIIString(name, "pos") == 0)
            self->pos_index = (int)k;
        /* tmp[k] = log(self.d[k].getsum()) - log(self.total) */
        self->prior[k] = py_log(tot[k]) - py_log(total);
        self->lognone[k] = py_log(non[k] / tot[k]);
    }
    for (k = 0; k < K; k++) {
        PyObject *table = PyList_GET_ITEM(tables, k), *key, *value;
        Py_ssize_t pos = 0;
        if (!PyDict_Check(table)) {
            PyErr_SetString(PyExc_TypeError, "Bayes tables must be dicts");
            goto done;
        }
        while (PyDict_Next(table, &pos, &key, &value)) {
            Py_ssize_t n;
            int32_t row;
            double c;
            if (!PyUnicode_Check(key))
                continue; /* a non-str key never equals a str token */
            if (as_double(value, &c) < 0)
                goto done;
            if (!ucs4_of(key, &buf, &bufcap, &n)) {
                PyErr_NoMemory();
                goto done;
            }
            row = toktab_insert(&self->vocab, buf, (size_t)n);
            if (row < 0) {
                PyErr_NoMemory();
                goto done;
            }
            if ((size_t)row >= rows_cap) {
                size_t nc = rows_cap ? rows_cap * 2 : 4096, r, j;
                double *ncounts = realloc(counts, nc * K * sizeof(double));
                if (!ncounts) {
                    PyErr_NoMemory();
                    goto done;
                }
                counts = ncounts;
                for (r = rows_cap; r < nc; r++)
                    for (j = 0; j < K; j++)
                        counts[r * K + j] = NAN; /* NaN = absent, filled below */
                rows_cap = nc;
            }
            counts[(size_t)row * K + k] = c;
        }
    }
    /* precompute log(freq(word)) = log(float(count) / total_k) per row and class */
    {
        size_t rows = self->vocab.n, r;
        self->logfreq = malloc((rows ? rows : 1) * (K ? K : 1) * sizeof(double));
        if (!self->logfreq) {
            PyErr_NoMemory();
            goto done;
        }
        for (r = 0; r < rows; r++)
            for (k = 0; k < K; k++) {
                double c = counts[r * K + k];
                self->logfreq[r * K + k] = (c != c) ? self->lognone[k] : py_log(c / tot[k]);
            }
    }
    Py_INCREF(names);
    self->names = names;
    rc = 0;
done:
    free(tot);
    free(non);
    free(counts);
    free(buf);
    return rc;
}

typedef struct {
    double *tmp;
    size_t cap;
    int domain_error;
} BayesAcc;

static int bayes_acc_start(const Bayes *B, BayesAcc *acc)
{
    int k;
    if ((size_t)B->nclass > acc->cap) {
        double *nt = realloc(acc->tmp, (size_t)B->nclass * sizeof(double));
        if (!nt)
            return -1;
        acc->tmp = nt;
        acc->cap = (size_t)B->nclass;
    }
    acc->domain_error = 0;
    for (k = 0; k < B->nclass; k++) {
        acc->tmp[k] = B->prior[k];
        if (B->prior[k] != B->prior[k])
            acc->domain_error = 1;
    }
    return 0;
}

static inline void bayes_acc_add(const Bayes *B, BayesAcc *acc, const Py_UCS4 *s, size_t n)
{
    int32_t row = toktab_find(&B->vocab, s, n);
    const double *lf = row < 0 ? B->lognone : B->logfreq + (size_t)row * (size_t)B->nclass;
    int k;
    for (k = 0; k < B->nclass; k++) {
        if (lf[k] != lf[k])
            acc->domain_error = 1;
        acc->tmp[k] += lf[k];
    }
}

/* The final loop of Bayes.classify: returns the chosen class index (-1 if none, like
 * the Python `ret = 0`) and its probability. */
static int bayes_acc_finish(const Bayes *B, const BayesAcc *acc, double *prob_out)
{
    int ret = -1, k, o;
    double prob = 0.0;
    for (k = 0; k < B->nclass; k++) {
        double now = 0.0;
        for (o = 0; o < B->nclass; o++)
            now += exp(acc->tmp[o] - acc->tmp[k]); /* overflow gives inf, and 1/inf == 0 */
        now = 1 / now;
        if (now > prob) {
            ret = k;
            prob = now;
        }
    }
    *prob_out = prob;
    return ret;
}

/* Sentiment.classify: prob if ret == 'pos' else 1 - prob */
static inline double positive_of(const Bayes *B, int ret, double prob)
{
    if (ret >= 0 && ret == B->pos_index)
        return prob;
    return 1 - prob;
}

static int bayes_tokens(Bayes *self, PyObject *tokens, int *ret, double *prob)
{
    PyObject *seq;
    if (!self->prior || !self->logfreq) {
        PyErr_SetString(PyExc_ValueError, "Bayes not initialised");
        return -1;
    }
    seq = PySequence_Fast(tokens, "tokens must be a sequence of str");
    Py_UCS4 *buf = NULL;
    size_t cap = 0;
    BayesAcc acc = {0};
    Py_ssize_t i, n;
    int rc = -1;
    if (!seq)
        return -1;
    if (bayes_acc_start(self, &acc) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    for (i = 0; i < n; i++) {
        PyObject *t = PySequence_Fast_GET_ITEM(seq, i);
        Py_ssize_t len;
        if (!PyUnicode_Check(t)) {
            PyErr_Format(PyExc_TypeError, "token %zd is %.100s, not str", i, Py_TYPE(t)->tp_name);
            goto done;
        }
        if (!ucs4_of(t, &buf, &cap, &len)) {
            PyErr_NoMemory();
            goto done;
        }
        bayes_acc_add(self, &acc, buf, (size_t)len);
    }
    if (acc.domain_error) {
        PyErr_SetString(PyExc_ValueError, "math domain error");
        goto done;
    }
    *ret = bayes_acc_finish(self, &acc, prob);
    rc = 0;
done:
    Py_DECREF(seq);
    free(buf);
    free(acc.tmp);
    return rc;
}

static PyObject *Bayes_classify_label(Bayes *self, PyObject *tokens)
{
    int ret;
    double prob;
    if (bayes_tokens(self, tokens, &ret, &prob) < 0)
        return NULL;
    if (ret < 0)
        return Py_BuildValue("(Od)", Py_None, prob);
    return Py_BuildValue("(Od)", PyTuple_GET_ITEM(self->names, ret), prob);
}

static PyObject *Bayes_classify(Bayes *self, PyObject *tokens)
{
    int ret;
    double prob;
    if (bayes_tokens(self, tokens, &ret, &prob) < 0)
        return NULL;
    return PyFloat_FromDouble(positive_of(self, ret, prob));
}

static PyObject *Bayes_get_names(Bayes *self, void *closure)
{
    PyObject *names = self->names ? self->names : Py_None;
    Py_INCREF(names);
    return names;
}

/* ------------------------------------------------------------------ the pipeline */

typedef struct {
    DecodeBuf dec;
    BayesAcc acc;
} Scratch;

static void scratch_free(Scratch *s)
{
    decodebuf_free(&s->dec);
    free(s->acc.tmp);
}

/* Sentiment.handle + classify for one text.  Returns 0 and sets *out, or -1 (out of
 * memory), -2 (math domain error in the model). */
static int score_ucs4(const SegModel *M, const TokTab *stop, const Bayes *B, const Py_UCS4 *t,
                      size_t n, Scratch *sc, double *out)
{
    size_t i = 0;
    double prob;
    int ret;
    if (bayes_acc_start(B, &sc->acc) < 0)
        return -1;
    while (i < n) {
        Py_UCS4 c = t[i];
        if (is_cjk(c)) {
            size_t j = i, k, st;
            while (j < n && is_cjk(t[j]))
                j++;
            if (decode_run(M, t + i, j - i, &sc->dec) < 0)
                return -1;
            /* Seg.seg: tags -> words */
            st = i;
            for (k = i; k < j; k++) {
                uint8_t tg = sc->dec.tags[k - i];
                if (tg == TAG_E) {
                    if (toktab_find(stop, t + st, k + 1 - st) < 0)
                        bayes_acc_add(B, &sc->acc, t + st, k + 1 - st);
                    st = k + 1;
                }
                else if (tg == TAG_B || tg == TAG_S) {
                    if (k > st && toktab_find(stop, t + st, k - st) < 0)
                        bayes_acc_add(B, &sc->acc, t + st, k - st);
                    st = k;
                }
            }
            if (st < j && toktab_find(stop, t + st, j - st) < 0)
                bayes_acc_add(B, &sc->acc, t + st, j - st);
            i = j;
        }
        else if (Py_UNICODE_ISSPACE(c)) {
            i++;
        }
        else {
            size_t j = i;
            while (j < n && !is_cjk(t[j]) && !Py_UNICODE_ISSPACE(t[j]))
                j++;
            if (toktab_find(stop, t + i, j - i) < 0)
                bayes_acc_add(B, &sc->acc, t + i, j - i);
            i = j;
        }
    }
    if (sc->acc.domain_error)
        return -2;
    ret = bayes_acc_finish(B, &sc->acc, &prob);
    *out = positive_of(B, ret, prob);
    return 0;
}

static PyTypeObject SegModelType, TokenSetType, BayesType;

static int parse_models(PyObject *args, SegModel **M, TokenSet **S, Bayes **B, PyObject **rest)
{
    if (!PyArg_ParseTuple(args, "O!O!O!O", &SegModelType, M, &TokenSetType, S, &BayesType, B, rest))
        return 0;
    if (!(*M)->uni || !(*S)->tab.row || !(*B)->logfreq) {
        PyErr_SetString(PyExc_ValueError, "model object not initialised");
        return 0;
    }
    return 1;
}

/* PyErr_Format only takes ASCII formats; user-facing messages here are Chinese (UTF-8). */
static PyObject *set_error_utf8(PyObject *exc, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    PyObject *o;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    if (o) {
        PyErr_SetObject(exc, o);
        Py_DECREF(o);
    }
    return NULL;
}

static PyObject *empty_error(Py_ssize_t index)
{
    if (index < 0)
        PyErr_SetString(PyExc_ValueError,
                        "文本为空：SnowNLP 无法为空字符串打分（原版抛出 ZeroDivisionError）");
    else
        set_error_utf8(PyExc_ValueError,
                       "第 %zd 条文本为空：SnowNLP 无法为空字符串打分（原版抛出 ZeroDivisionError）",
                       index);
    return NULL;
}

/* score(seg, stop, bayes, text) -> float */
static PyObject *mod_score(PyObject *mod, PyObject *args)
{
    SegModel *M;
    TokenSet *S;
    Bayes *B;
    PyObject *text;
    Py_UCS4 *buf = NULL;
    size_t cap = 0;
    Py_ssize_t n;
    Scratch sc;
    double v;
    int rc;
    if (!parse_models(args, &M, &S, &B, &text))
        return NULL;
    if (!PyUnicode_Check(text))
        return PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
    if (PyUnicode_READY(text) < 0)
        return NULL;
    if (PyUnicode_GET_LENGTH(text) == 0)
        return empty_error(-1);
    if (!ucs4_of(text, &buf, &cap, &n))
        return PyErr_NoMemory();
    memset(&sc, 0, sizeof(sc));
    rc = score_ucs4(M, &S->tab, B, buf, (size_t)n, &sc, &v);
    scratch_free(&sc);
    free(buf);
    if (rc == -1)
        return PyErr_NoMemory();
    if (rc == -2) {
        PyErr_SetString(PyExc_ValueError, "math domain error");
        return NULL;
    }
    return PyFloat_FromDouble(v);
}

/* score_list(seg, stop, bayes, texts: list[str]) -> list[float]; runs without the GIL */
static PyObject *mod_score_list(PyObject *mod, PyObject *args)
{
    SegModel *M;
    TokenSet *S;
    Bayes *B;
    PyObject *texts, *result = NULL;
    Py_ssize_t n, i, failed = -1;
    double *out = NULL;
    int rc = 0;
    if (!parse_models(args, &M, &S, &B, &texts))
        return NULL;
    if (!PyList_Check(texts))
        return PyErr_Format(PyExc_TypeError, "texts must be a list, not %.100s", Py_TYPE(texts)->tp_name);
    n = PyList_GET_SIZE(texts);
    for (i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(texts, i);
        if (!PyUnicode_Check(t))
            return set_error_utf8(PyExc_TypeError, "第 %zd 条文本不是 str，而是 %.100s", i,
                                Py_TYPE(t)->tp_name);
        if (PyUnicode_READY(t) < 0)
            return NULL;
        if (PyUnicode_GET_LENGTH(t) == 0)
            return empty_error(i);
    }
    /* keep the list's items alive while the GIL is released */
    texts = PyList_GetSlice(texts, 0, n);
    if (!texts)
        return NULL;
    out = malloc((size_t)(n ? n : 1) * sizeof(double));
    if (!out) {
        Py_DECREF(texts);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    {
        Scratch sc;
        Py_UCS4 *buf = NULL;
        size_t cap = 0;
        memset(&sc, 0, sizeof(sc));
        for (i = 0; i < n; i++) {
            Py_ssize_t len;
            if (!ucs4_of(PyList_GET_ITEM(texts, i), &buf, &cap, &len)) {
                rc = -1;
                failed = i;
                break;
            }
            rc = score_ucs4(M, &S->tab, B, buf, (size_t)len, &sc, &out[i]);
            if (rc < 0) {
                failed = i;
                break;
            }
        }
        scratch_free(&sc);
        free(buf);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(texts);
    if (rc == -1) {
        free(out);
        return PyErr_NoMemory();
    }
    if (rc == -2) {
        free(out);
        return PyErr_Format(PyExc_ValueError, "math domain error (text %zd)", failed);
    }
    result = PyList_New(n);
    if (result)
        for (i = 0; i < n; i++) {
            PyObject *f = PyFloat_FromDouble(out[i]);
            if (!f) {
                Py_CLEAR(result);
                break;
            }
            PyList_SET_ITEM(result, i, f);
        }
    free(out);
    return result;
}

/* SegModel.segment(text) -> list[str]: snownlp.seg.seg(text) */
static PyObject *SegModel_segment(SegModel *self, PyObject *text)
{
    Py_UCS4 *buf = NULL;
    size_t cap = 0, i = 0;
    Py_ssize_t n;
    DecodeBuf dec;
    PyObject *out;
    if (!self->uni) {
        PyErr_SetString(PyExc_ValueError, "SegModel not initialised");
        return NULL;
    }
    if (!PyUnicode_Check(text))
        return PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
    if (PyUnicode_READY(text) < 0)
        return NULL;
    if (!ucs4_of(text, &buf, &cap, &n))
        return PyErr_NoMemory();
    memset(&dec, 0, sizeof(dec));
    out = PyList_New(0);
    if (!out)
        goto fail;
#define EMIT(a, b)                                                                          \
    do {                                                                                    \
        PyObject *w = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf + (a), (Py_ssize_t)((b) - (a))); \
        if (!w || PyList_Append(out, w) < 0) {                                              \
            Py_XDECREF(w);                                                                  \
            goto fail;                                                                      \
        }                                                                                   \
        Py_DECREF(w);                                                                       \
    } while (0)
    while (i < (size_t)n) {
        Py_UCS4 c = buf[i];
        if (is_cjk(c)) {
            size_t j = i, k, st;
            while (j < (size_t)n && is_cjk(buf[j]))
                j++;
            if (decode_run(self, buf + i, j - i, &dec) < 0) {
                PyErr_NoMemory();
                goto fail;
            }
            st = i;
            for (k = i; k < j; k++) {
                uint8_t tg = dec.tags[k - i];
                if (tg == TAG_E) {
                    EMIT(st, k + 1);
                    st = k + 1;
                }
                else if (tg == TAG_B || tg == TAG_S) {
                    if (k > st)
                        EMIT(st, k);
                    st = k;
                }
            }
            if (st < j)
                EMIT(st, j);
            i = j;
        }
        else if (Py_UNICODE_ISSPACE(c))
            i++;
        else {
            size_t j = i;
            while (j < (size_t)n && !is_cjk(buf[j]) && !Py_UNICODE_ISSPACE(buf[j]))
                j++;
            EMIT(i, j);
            i = j;
        }
    }
#undef EMIT
    decodebuf_free(&dec);
    free(buf);
    return out;
fail:
    Py_XDECREF(out);
    decodebuf_free(&dec);
    free(buf);
    return NULL;
}

static PyObject *SegModel_sizes(SegModel *self, PyObject *unused)
{
    return Py_BuildValue("{s:n,s:n,s:n,s:n}", "bigram_entries", (Py_ssize_t)self->bi.nentries,
                         "bigram_groups", (Py_ssize_t)self->bi.ngroups, "trigram_entries",
                         (Py_ssize_t)self->tri.nentries, "trigram_groups", (Py_ssize_t)self->tri.ngroups);
}

/* ------------------------------------------------------------------ type objects */

static PyMethodDef SegModel_methods[] = {
    {"segment", (PyCFunction)SegModel_segment, METH_O, "snownlp.seg.seg(text): list of words."},
    {"sizes", (PyCFunction)SegModel_sizes, METH_NOARGS, "Table sizes (for diagnostics)."},
    {NULL}};

static PyTypeObject SegModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "analysis.snowfast._snowfast.SegModel",
    .tp_basicsize = sizeof(SegModel),
    .tp_dealloc = (destructor)SegModel_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "SegModel(data: bytes): SnowNLP's character-based segmentation model read "
              "from the uncompressed marshal bytes of seg.marshal.3.",
    .tp_methods = SegModel_methods,
    .tp_init = (initproc)SegModel_init,
    .tp_new = PyType_GenericNew,
};

static PySequenceMethods TokenSet_as_sequence = {
    .sq_length = (lenfunc)TokenSet_len,
    .sq_contains = (objobjproc)TokenSet_contains,
};

static PyTypeObject TokenSetType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "analysis.snowfast._snowfast.TokenSet",
    .tp_basicsize = sizeof(TokenSet),
    .tp_dealloc = (destructor)TokenSet_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TokenSet(words): an immutable set of strings (stop words).",
    .tp_as_sequence = &TokenSet_as_sequence,
    .tp_init = (initproc)TokenSet_init,
    .tp_new = PyType_GenericNew,
};

static PyMethodDef Bayes_methods[] = {
    {"classify_label", (PyCFunction)Bayes_classify_label, METH_O,
     "Bayes.classify(tokens): (class name, probability)."},
    {"classify", (PyCFunction)Bayes_classify, METH_O,
     "Sentiment.classify semantics: probability if the class is 'pos', else 1 - probability."},
    {NULL}};

static PyGetSetDef Bayes_getset[] = {{"names", (getter)Bayes_get_names, NULL, "class names", NULL},
                                     {NULL}};

static PyTypeObject BayesType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "analysis.snowfast._snowfast.Bayes",
    .tp_basicsize = sizeof(Bayes),
    .tp_dealloc = (destructor)Bayes_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Bayes(names, totals, nones, total, tables): snownlp's Bayes classifier.",
    .tp_methods = Bayes_methods,
    .tp_getset = Bayes_getset,
    .tp_init = (initproc)Bayes_init,
    .tp_new = PyType_GenericNew,
};

static PyMethodDef module_methods[] = {
    {"score", mod_score, METH_VARARGS, "score(seg, stop, bayes, text) -> float"},
    {"score_list", mod_score_list, METH_VARARGS,
     "score_list(seg, stop, bayes, texts) -> list[float]; releases the GIL"},
    {NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "_snowfast",
                                       "Compiled SnowNLP sentiment scoring.", -1, module_methods};

PyMODINIT_FUNC PyInit__snowfast(void)
{
    PyObject *m;
    if (PyType_Ready(&SegModelType) < 0 || PyType_Ready(&TokenSetType) < 0 ||
        PyType_Ready(&BayesType) < 0)
        return NULL;
    m = PyModule_Create(&moduledef);
    if (!m)
        return NULL;
    Py_INCREF(&SegModelType);
    Py_INCREF(&TokenSetType);
    Py_INCREF(&BayesType);
    if (PyModule_AddObject(m, "SegModel", (PyObject *)&SegModelType) < 0 ||
        PyModule_AddObject(m, "TokenSet", (PyObject *)&TokenSetType) < 0 ||
        PyModule_AddObject(m, "Bayes", (PyObject *)&BayesType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
