/*
 * _jiebafast: the two loops of jieba 0.42.1's precise mode, compiled.
 *
 * Goal: exactly the words `jieba.Tokenizer.lcut(text)` gives (HMM on).  The Python package
 * (analysis/jiebafast/__init__.py) keeps jieba's control flow and calls these two for the
 * inner loops, which are where jieba spends its time:
 *
 *   route(block, FREQ, logtotal)  - Tokenizer.get_DAG + Tokenizer.calc: the best path through
 *       the word graph of one block, as the end offsets of its words, left to right.
 *   viterbi(chars, start, trans, emit) - finalseg.viterbi: the B/M/E/S state of each character
 *       of one run of unknown characters.
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

#define MIN_FLOAT (-3.14e100) /* jieba.finalseg.MIN_FLOAT */

/* FREQ[frag] as a double, 0.0 when frag is absent; -1 with an exception set on error.
 * *found tells whether frag is a key (a prefix of a word has frequency 0 but is a key). */
static int freq_of(PyObject *freq, PyObject *frag, double *value, int *found)
{
    PyObject *v = PyDict_GetItemWithError(freq, frag); /* borrowed */
    if (v == NULL) {
        if (PyErr_Occurred())
            return -1;
        *found = 0;
        *value = 0.0;
        return 0;
    }
    *found = 1;
    int truth = PyObject_IsTrue(v);
    if (truth < 0)
        return -1;
    if (!truth) {
        *value = 0.0;
        return 0;
    }
    double d = PyFloat_AsDouble(v); /* an int converts as math.log converts it */
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    if (!(d > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "jieba word frequency must be positive");
        return -1;
    }
    *value = d;
    return 0;
}

/* route(block: str, FREQ: dict, logtotal: float) -> list[int]
 *
 * get_DAG: for each start k, every end i (k <= i < n) such that block[k:i+1] has a non-zero
 * frequency, scanning while block[k:i+1] is a key of FREQ; k itself when there is none.
 * calc: from the right, route[k] = max over those ends x of
 * (log(FREQ.get(block[k:x+1]) or 1) - logtotal + route[x+1][0], x).
 * Returns the ends y (exclusive) of the words on the path from 0. */
static PyObject *jf_route(PyObject *self, PyObject *args)
{
    PyObject *block, *freq;
    double logtotal;
    if (!PyArg_ParseTuple(args, "UO!d", &block, &PyDict_Type, &freq, &logtotal))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(block);
    PyObject *result = NULL;
    /* DAG as flat lists: edges of start k are edge_end/edge_freq[first[k] .. first[k+1]) */
    Py_ssize_t cap = n * 4 + 16, used = 0;
    Py_ssize_t *first = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *edge_end = PyMem_Malloc((size_t)cap * sizeof(Py_ssize_t));
    double *edge_freq = PyMem_Malloc((size_t)cap * sizeof(double));
    double *score = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    Py_ssize_t *next = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    if (!first || !edge_end || !edge_freq || !score || !next) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        first[k] = used;
        Py_ssize_t i = k;
        while (i < n) {
            PyObject *frag = PyUnicode_Substring(block, k, i + 1);
            if (frag == NULL)
                goto done;
            double value;
            int found;
            int status = freq_of(freq, frag, &value, &found);
            Py_DECREF(frag);
            if (status < 0)
                goto done;
            if (!found)
                break;
            if (value > 0.0) {
                if (used == cap) {
                    cap *= 2;
                    Py_ssize_t *e = PyMem_Realloc(edge_end, (size_t)cap * sizeof(Py_ssize_t));
                    if (e == NULL) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    edge_end = e;
                    double *f = PyMem_Realloc(edge_freq, (size_t)cap * sizeof(double));
                    if (f == NULL) {
                        PyErr_NoMemory();
                        goto done;
                    }
                    edge_freq = f;
                }
                edge_end[used] = i;
                edge_freq[used] = value;
                used++;
            }
            i++;
        }
        if (used == first[k]) { /* no word starts here: the single character, frequency 1 */
            if (used == cap) {
                cap *= 2;
                Py_ssize_t *e = PyMem_Realloc(edge_end, (size_t)cap * sizeof(Py_ssize_t));
                if (e == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                edge_end = e;
                double *f = PyMem_Realloc(edge_freq, (size_t)cap * sizeof(double));
                if (f == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                edge_freq = f;
            }
            edge_end[used] = k;
            edge_freq[used] = 1.0;
            used++;
        }
    }
    first[n] = used;
    score[n] = 0.0;
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        double best = 0.0;
        Py_ssize_t best_end = -1;
        for (Py_ssize_t e = first[k]; e < first[k + 1]; e++) {
            Py_ssize_t x = edge_end[e];
            double s = log(edge_freq[e]) - logtotal;
            s = s + score[x + 1];
            if (best_end < 0 || s > best || (s == best && x > best_end)) {
                best = s;
                best_end = x;
            }
        }
        score[k] = best;
        next[k] = best_end + 1;
    }
    result = PyList_New(0);
    if (result == NULL)
        goto done;
    for (Py_ssize_t x = 0; x < n; x = next[x]) {
        PyObject *end = PyLong_FromSsize_t(next[x]);
        if (end == NULL || PyList_Append(result, end) < 0) {
            Py_XDECREF(end);
            Py_CLEAR(result);
            goto done;
        }
        Py_DECREF(end);
    }
done:
    PyMem_Free(first);
    PyMem_Free(edge_end);
    PyMem_Free(edge_freq);
    PyMem_Free(score);
    PyMem_Free(next);
    return result;
}

/* States in jieba's order 'BMES'; PREV[y] are the states that may precede y (PrevStatus). */
static const char STATES[4] = {'B', 'M', 'E', 'S'};
static const int PREV[4][2] = {{2, 3}, {1, 0}, {0, 1}, {3, 2}}; /* B:'ES' M:'MB' E:'BM' S:'SE' */

/* viterbi(chars: str, start: sequence of 4 floats, trans: sequence of 16 floats (trans[y0*4+y],
 * MIN_FLOAT where jieba has no entry), emit: sequence of 4 dicts) -> str of B/M/E/S.
 * The state order of the sequences is B, M, E, S. */
static PyObject *jf_viterbi(PyObject *self, PyObject *args)
{
    PyObject *chars, *start_seq, *trans_seq, *emit_seq;
    if (!PyArg_ParseTuple(args, "UOOO", &chars, &start_seq, &trans_seq, &emit_seq))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(chars);
    if (n == 0)
        return PyUnicode_FromString("");
    double start[4], trans[16];
    PyObject *emit[4];
    PyObject *fast = PySequence_Fast(start_seq, "start must be a sequence");
    if (fast == NULL)
        return NULL;
    if (PySequence_Fast_GET_SIZE(fast) != 4) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "start needs 4 values");
        return NULL;
    }
    for (int y = 0; y < 4; y++) {
        start[y] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, y));
        if (start[y] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return NULL;
        }
    }
    Py_DECREF(fast);
    fast = PySequence_Fast(trans_seq, "trans must be a sequence");
    if (fast == NULL)
        return NULL;
    if (PySequence_Fast_GET_SIZE(fast) != 16) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "trans needs 16 values");
        return NULL;
    }
    for (int i = 0; i < 16; i++) {
        trans[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (trans[i] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return NULL;
        }
    }
    Py_DECREF(fast);
    PyObject *emit_fast = PySequence_Fast(emit_seq, "emit must be a sequence");
    if (emit_fast == NULL)
        return NULL;
    if (PySequence_Fast_GET_SIZE(emit_fast) != 4) {
        Py_DECREF(emit_fast);
        PyErr_SetString(PyExc_ValueError, "emit needs 4 dicts");
        return NULL;
    }
    for (int y = 0; y < 4; y++) {
        emit[y] = PySequence_Fast_GET_ITEM(emit_fast, y);
        if (!PyDict_Check(emit[y])) {
            Py_DECREF(emit_fast);
            PyErr_SetString(PyExc_TypeError, "emit needs 4 dicts");
            return NULL;
        }
    }
    PyObject *result = NULL;
    double *v = PyMem_Malloc((size_t)n * 4 * sizeof(double));
    unsigned char *back = PyMem_Malloc((size_t)n * 4);
    char *path = PyMem_Malloc((size_t)n);
    if (!v || !back || !path) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *ch = PyUnicode_FromOrdinal((int)PyUnicode_READ_CHAR(chars, t));
        if (ch == NULL)
            goto done;
        double em[4];
        for (int y = 0; y < 4; y++) {
            PyObject *p = PyDict_GetItemWithError(emit[y], ch);
            if (p == NULL) {
                if (PyErr_Occurred()) {
                    Py_DECREF(ch);
                    goto done;
                }
                em[y] = MIN_FLOAT;
            } else {
                em[y] = PyFloat_AsDouble(p);
                if (em[y] == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(ch);
                    goto done;
                }
            }
        }
        Py_DECREF(ch);
        for (int y = 0; y < 4; y++) {
            if (t == 0) {
                v[y] = start[y] + em[y];
                continue;
            }
            /* max((V[t-1][y0] + trans_p[y0].get(y) + em_p, y0) for y0 in PrevStatus[y]) */
            int best_state = -1;
            double best = 0.0;
            for (int j = 0; j < 2; j++) {
                int y0 = PREV[y][j];
                double prob = v[(t - 1) * 4 + y0] + trans[y0 * 4 + y];
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
    result = PyUnicode_FromStringAndSize(path, n);
done:
    Py_DECREF(emit_fast);
    PyMem_Free(v);
    PyMem_Free(back);
    PyMem_Free(path);
    return result;
}

static PyMethodDef module_methods[] = {
    {"route", jf_route, METH_VARARGS,
     "route(block, FREQ, logtotal) -> ends of the words on jieba's best path through block"},
    {"viterbi", jf_viterbi, METH_VARARGS,
     "viterbi(chars, start, trans, emit) -> the B/M/E/S state of each character (finalseg)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "_jiebafast",
                                       "jieba 0.42.1 precise-mode inner loops, compiled.", -1,
                                       module_methods};

PyMODINIT_FUNC PyInit__jiebafast(void) { return PyModule_Create(&moduledef); }
