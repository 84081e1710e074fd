/*
 * _jiebafast: jieba 0.42.1's precise mode (Tokenizer.cut with HMM on) for one block, compiled.
 *
 * Goal: exactly the words `jieba.Tokenizer.lcut(text)` gives.  The Python package
 * (analysis/jiebafast/__init__.py) splits the text into blocks as jieba does (a regex, already C)
 * and calls cut_block for each block of word characters, which does what jieba does in Python:
 *
 *   Tokenizer.get_DAG + Tokenizer.calc - the best path through the word graph of the block;
 *   Tokenizer.__cut_DAG                 - words on the path; runs of single characters on it are
 *                                         kept as they are, split into characters (a known word),
 *                                         or handed to the HMM;
 *   finalseg.cut + finalseg.viterbi     - the HMM's B/M/E/S decoding of runs of CJK characters,
 *                                         the other characters split like finalseg.re_skip, and
 *                                         finalseg.Force_Split_Words honoured.
 *
 * Every floating-point expression is written in the operation order of the Python source and
 * calls the libm `log` that CPython's math.log calls; ties are broken as Python's max() over
 * tuples breaks them (the larger second element wins).  Build with -ffp-contract=off and
 * without -ffast-math.  The dictionaries are jieba's own Python objects, read, never copied,
 * so words added to a tokenizer (add_word, load_userdict) are seen at once.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_FLOAT (-3.14e100) /* jieba.finalseg.MIN_FLOAT */

/* FREQ[frag] as a double, 0.0 when frag is absent; -1 with an exception set on error.
 * *found tells whether frag is a key (a prefix of a word has frequency 0 but is a key). */
static int freq_of(PyObject *freq, PyObject *frag, double *value, int *found)
{
    PyObject *v = PyDict_GetItemWithError(freq, frag);
    if (v == NULL) {
        if (PyErr_Occurred())
            return -1;
        *found = 0;
        *value = 0.0;
        return 0;
    }
    *found = 1;
    Py_INCREF(v); /* held while converted: a conversion may run Python code */
    int status = 0;
    int truth = PyObject_IsTrue(v);
    if (truth <= 0) {
        status = truth;
        *value = 0.0;
    } else {
        double d = PyFloat_AsDouble(v); /* an int converts as math.log converts it */
        if (d == -1.0 && PyErr_Occurred()) {
            status = -1;
        } else if (!(d > 0.0)) {
            PyErr_SetString(PyExc_ValueError, "jieba word frequency must be positive");
            status = -1;
        } else {
            *value = d;
        }
    }
    Py_DECREF(v);
    return status;
}

/* ------------------------------------------------------------------ best path (get_DAG + calc) */

typedef struct {
    Py_ssize_t *end;
    double *freq;
    Py_ssize_t used, cap;
} Edges;

static int edges_push(Edges *e, Py_ssize_t end, double freq)
{
    if (e->used == e->cap) {
        Py_ssize_t cap = e->cap ? e->cap * 2 : 64;
        Py_ssize_t *ends = PyMem_Realloc(e->end, (size_t)cap * sizeof(Py_ssize_t));
        if (ends == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        e->end = ends;
        double *freqs = PyMem_Realloc(e->freq, (size_t)cap * sizeof(double));
        if (freqs == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        e->freq = freqs;
        e->cap = cap;
    }
    e->end[e->used] = end;
    e->freq[e->used] = freq;
    e->used++;
    return 0;
}

/* next[x] for every start x: the end (exclusive) of the word the best path takes from x.
 * get_DAG: the ends i (k <= i < n) such that block[k:i+1] has a non-zero frequency, scanning while
 * block[k:i+1] is a key of FREQ; k itself when there is none.  calc: from the right,
 * route[k] = max over those ends x of (log(FREQ.get(block[k:x+1]) or 1) - logtotal + route[x+1][0], x). */
static int best_path(PyObject *block, PyObject *freq, double logtotal, Py_ssize_t *next)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(block);
    int status = -1;
    Edges edges = {NULL, NULL, 0, 0};
    Py_ssize_t *first = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    double *score = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    if (first == NULL || score == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        first[k] = edges.used;
        for (Py_ssize_t i = k; i < n; i++) {
            PyObject *frag = PyUnicode_Substring(block, k, i + 1);
            if (frag == NULL)
                goto done;
            double value;
            int found;
            int failed = freq_of(freq, frag, &value, &found);
            Py_DECREF(frag);
            if (failed)
                goto done;
            if (!found)
                break;
            if (value > 0.0 && edges_push(&edges, i, value) < 0)
                goto done;
        }
        if (edges.used == first[k] && edges_push(&edges, k, 1.0) < 0) /* the character alone */
            goto done;
    }
    first[n] = edges.used;
    score[n] = 0.0;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        double best = 0.0;
        Py_ssize_t best_end = -1;
        for (Py_ssize_t e = first[k]; e < first[k + 1]; e++) {
            Py_ssize_t x = edges.end[e];
            double s = log(edges.freq[e]) - logtotal;
            s = s + score[x + 1];
            if (best_end < 0 || s > best || (s == best && x > best_end)) {
                best = s;
                best_end = x;
            }
        }
        score[k] = best;
        next[k] = best_end + 1;
    }
    status = 0;
done:
    PyMem_Free(first);
    PyMem_Free(score);
    PyMem_Free(edges.end);
    PyMem_Free(edges.freq);
    return status;
}

/* ------------------------------------------------------------------ HMM (finalseg) */

/* States in jieba's order 'BMES'; PREV[y] are the states that may precede y (PrevStatus). */
static const char STATES[4] = {'B', 'M', 'E', 'S'};
static const int PREV[4][2] = {{2, 3}, {1, 0}, {0, 1}, {3, 2}}; /* B:'ES' M:'MB' E:'BM' S:'SE' */

static int hmm_ready = 0;
static double hmm_start[4], hmm_trans[16];
static PyObject *hmm_emit[4];  /* finalseg.emit_P[y]: dict char -> float (owned references) */
static PyObject *hmm_force;    /* finalseg.Force_Split_Words: a set (owned reference) */

static int read_floats(PyObject *seq, double *out, Py_ssize_t count, const char *what)
{
    PyObject *fast = PySequence_Fast(seq, what);
    if (fast == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(fast) != count) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "%s: needs %zd values", what, count);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        out[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* set_hmm(start, trans, emit, force_split): finalseg's tables, state order B, M, E, S:
 * start 4 floats, trans 16 floats (trans[y0*4+y], MIN_FLOAT where jieba has no entry),
 * emit 4 dicts, force_split the set of words the HMM must split into characters. */
static PyObject *jf_set_hmm(PyObject *self, PyObject *args)
{
    PyObject *start, *trans, *emit, *force;
    double s[4], t[16];
    if (!PyArg_ParseTuple(args, "OOOO!", &start, &trans, &emit, &PySet_Type, &force))
        return NULL;
    if (read_floats(start, s, 4, "start") < 0 || read_floats(trans, t, 16, "trans") < 0)
        return NULL;
    PyObject *fast = PySequence_Fast(emit, "emit");
    if (fast == NULL)
        return NULL;
    if (PySequence_Fast_GET_SIZE(fast) != 4) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "emit: needs 4 dicts");
        return NULL;
    }
    for (int y = 0; y < 4; y++) {
        if (!PyDict_Check(PySequence_Fast_GET_ITEM(fast, y))) {
            Py_DECREF(fast);
            PyErr_SetString(PyExc_TypeError, "emit: needs 4 dicts");
            return NULL;
        }
    }
    for (int y = 0; y < 4; y++) {
        Py_XSETREF(hmm_emit[y], Py_NewRef(PySequence_Fast_GET_ITEM(fast, y)));
    }
    Py_DECREF(fast);
    Py_XSETREF(hmm_force, Py_NewRef(force));
    memcpy(hmm_start, s, sizeof s);
    memcpy(hmm_trans, t, sizeof t);
    hmm_ready = 1;
    Py_RETURN_NONE;
}

/* finalseg.viterbi over block[from:to] (CJK characters): the state of each character into path. */
static int viterbi(PyObject *block, Py_ssize_t from, Py_ssize_t to, char *path)
{
    Py_ssize_t n = to - from;
    double *v = PyMem_Malloc((size_t)n * 4 * sizeof(double));
    unsigned char *back = PyMem_Malloc((size_t)n * 4);
    int status = -1;
    if (v == NULL || back == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *ch = PyUnicode_FromOrdinal((int)PyUnicode_READ_CHAR(block, from + t));
        if (ch == NULL)
            goto done;
        double em[4];
        for (int y = 0; y < 4; y++) { /* emit_p[y].get(obs[t], MIN_FLOAT) */
            PyObject *p = PyDict_GetItemWithError(hmm_emit[y], ch);
            Py_XINCREF(p);
            em[y] = p == NULL ? MIN_FLOAT : PyFloat_AsDouble(p);
            Py_XDECREF(p);
            if ((p == NULL || em[y] == -1.0) && PyErr_Occurred()) {
                Py_DECREF(ch);
                goto done;
            }
        }
        Py_DECREF(ch);
        for (int y = 0; y < 4; y++) {
            if (t == 0) {
                v[y] = hmm_start[y] + em[y];
                continue;
            }
            /* max((V[t-1][y0] + trans_p[y0].get(y, MIN_FLOAT) + em_p, y0) for y0 in PrevStatus[y]) */
            int best_state = -1;
            double best = 0.0;
            for (int j = 0; j < 2; j++) {
                int y0 = PREV[y][j];
                double prob = v[(t - 1) * 4 + y0] + hmm_trans[y0 * 4 + y];
                prob = prob + em[y];
                if (best_state < 0 || prob > best || (prob == best && STATES[y0] > STATES[best_state])) {
                    best = prob;
                    best_state = y0;
                }
            }
            v[t * 4 + y] = best;
            back[t * 4 + y] = (unsigned char)best_state;
        }
    }
    /* max((V[n-1][y], y) for y in 'ES') */
    int state = v[(n - 1) * 4 + 3] >= v[(n - 1) * 4 + 2] ? 3 : 2;
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        path[t] = STATES[state];
        if (t > 0)
            state = back[t * 4 + state];
    }
    status = 0;
done:
    PyMem_Free(v);
    PyMem_Free(back);
    return status;
}

static int append_slice(PyObject *out, PyObject *block, Py_ssize_t from, Py_ssize_t to)
{
    PyObject *word = PyUnicode_Substring(block, from, to);
    if (word == NULL)
        return -1;
    int status = PyList_Append(out, word);
    Py_DECREF(word);
    return status;
}

static int append_chars(PyObject *out, PyObject *block, Py_ssize_t from, Py_ssize_t to)
{
    for (Py_ssize_t i = from; i < to; i++)
        if (append_slice(out, block, i, i + 1) < 0)
            return -1;
    return 0;
}

/* a word the HMM found: as it is, or in characters when it is in Force_Split_Words */
static int append_hmm_word(PyObject *out, PyObject *block, Py_ssize_t from, Py_ssize_t to)
{
    PyObject *word = PyUnicode_Substring(block, from, to);
    if (word == NULL)
        return -1;
    int forced = PySet_Contains(hmm_force, word);
    int status = forced < 0 ? -1 : forced ? append_chars(out, block, from, to) : PyList_Append(out, word);
    Py_DECREF(word);
    return status;
}

static inline int is_han(Py_UCS4 c) { return c >= 0x4E00 && c <= 0x9FD5; } /* finalseg.re_han */
static inline int is_alnum(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
static inline int is_digit(Py_UCS4 c) { return c >= '0' && c <= '9'; }

/* finalseg.cut(block[from:to]) */
static int hmm_cut(PyObject *out, PyObject *block, Py_ssize_t from, Py_ssize_t to)
{
    Py_ssize_t i = from;
    while (i < to) {
        Py_ssize_t j = i;
        if (is_han(PyUnicode_READ_CHAR(block, i))) { /* a run of re_han: decoded by the HMM */
            while (j < to && is_han(PyUnicode_READ_CHAR(block, j)))
                j++;
            char *path = PyMem_Malloc((size_t)(j - i));
            if (path == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            if (viterbi(block, i, j, path) < 0) {
                PyMem_Free(path);
                return -1;
            }
            Py_ssize_t begin = i, following = i; /* finalseg.__cut */
            for (Py_ssize_t t = i; t < j; t++) {
                char state = path[t - i];
                int failed = 0;
                if (state == 'B') {
                    begin = t;
                } else if (state == 'E') {
                    failed = append_hmm_word(out, block, begin, t + 1);
                    following = t + 1;
                } else if (state == 'S') {
                    failed = append_hmm_word(out, block, t, t + 1);
                    following = t + 1;
                }
                if (failed) {
                    PyMem_Free(path);
                    return -1;
                }
            }
            PyMem_Free(path);
            if (following < j && append_hmm_word(out, block, following, j) < 0)
                return -1;
        } else { /* other characters: re_skip.split, empty pieces dropped */
            while (j < to && !is_han(PyUnicode_READ_CHAR(block, j)))
                j++;
            Py_ssize_t piece = i; /* start of the text before the next match */
            Py_ssize_t k = i;
            while (k < j) {
                if (!is_alnum(PyUnicode_READ_CHAR(block, k))) {
                    k++;
                    continue;
                }
                /* a match of ([a-zA-Z0-9]+(?:\.\d+)?%?) at k (its digits are ASCII here: the
                 * block holds only re_han_default's characters) */
                Py_ssize_t m = k;
                while (m < j && is_alnum(PyUnicode_READ_CHAR(block, m)))
                    m++;
                if (m + 1 < j && PyUnicode_READ_CHAR(block, m) == '.' && is_digit(PyUnicode_READ_CHAR(block, m + 1))) {
                    m += 2;
                    while (m < j && is_digit(PyUnicode_READ_CHAR(block, m)))
                        m++;
                }
                if (m < j && PyUnicode_READ_CHAR(block, m) == '%')
                    m++;
                if ((k > piece && append_slice(out, block, piece, k) < 0) || append_slice(out, block, k, m) < 0)
                    return -1;
                piece = k = m;
            }
            if (j > piece && append_slice(out, block, piece, j) < 0)
                return -1;
        }
        i = j;
    }
    return 0;
}

/* single characters in a row on the best path (block[from:to]): one character as it is, a known
 * word split into characters, else finalseg.cut */
static int flush(PyObject *out, PyObject *block, PyObject *freq, Py_ssize_t from, Py_ssize_t to)
{
    if (to - from == 1)
        return append_slice(out, block, from, to);
    PyObject *buffer = PyUnicode_Substring(block, from, to);
    if (buffer == NULL)
        return -1;
    double value;
    int found;
    int failed = freq_of(freq, buffer, &value, &found);
    Py_DECREF(buffer);
    if (failed)
        return -1;
    return value > 0.0 ? append_chars(out, block, from, to) : hmm_cut(out, block, from, to);
}

/* cut_block(block: str, FREQ: dict, logtotal: float, out: list) -> None
 * Tokenizer.__cut_DAG: appends the words of one block of word characters to out. */
static PyObject *jf_cut_block(PyObject *self, PyObject *args)
{
    PyObject *block, *freq, *out;
    double logtotal;
    if (!PyArg_ParseTuple(args, "UO!dO!", &block, &PyDict_Type, &freq, &logtotal, &PyList_Type, &out))
        return NULL;
    if (!hmm_ready) {
        PyErr_SetString(PyExc_RuntimeError, "set_hmm() must be called first");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(block);
    Py_ssize_t *next = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    if (next == NULL)
        return PyErr_NoMemory();
    PyObject *result = NULL;
    if (best_path(block, freq, logtotal, next) < 0)
        goto done;
    Py_ssize_t buffered = -1; /* start of the single characters not yet written, or -1 */
    for (Py_ssize_t x = 0; x < n; x = next[x]) {
        Py_ssize_t y = next[x];
        if (y - x == 1) {
            if (buffered < 0)
                buffered = x;
            continue;
        }
        if (buffered >= 0) {
            if (flush(out, block, freq, buffered, x) < 0)
                goto done;
            buffered = -1;
        }
        if (append_slice(out, block, x, y) < 0)
            goto done;
    }
    if (buffered >= 0 && flush(out, block, freq, buffered, n) < 0)
        goto done;
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(next);
    return result;
}

static PyMethodDef module_methods[] = {
    {"set_hmm", jf_set_hmm, METH_VARARGS,
     "set_hmm(start, trans, emit, force_split): finalseg's tables, states in the order B, M, E, S"},
    {"cut_block", jf_cut_block, METH_VARARGS,
     "cut_block(block, FREQ, logtotal, out): append jieba's words of one block of word characters"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "_jiebafast",
                                       "jieba 0.42.1 precise mode for one block, compiled.", -1,
                                       module_methods};

PyMODINIT_FUNC PyInit__jiebafast(void) { return PyModule_Create(&moduledef); }
