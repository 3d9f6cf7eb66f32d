/*
 * One SWIG interface for the Java and Go bindings of libcfp.
 *
 *   swig -java -package org.cfp.internal -outdir DIR -o cfp_java_wrap.c cfp.i
 *   swig -go -cgo -intgosize 64 -outdir DIR -o cfp_go_wrap.c cfp.i
 *
 * The generated layer is deliberately thin and internal: it mirrors cfp.h function by
 * function (same names) and returns every cfp_status as a plain integer. The idiomatic
 * packages (bindings/java, bindings/go) own the handles and turn a failed status into an
 * exception or an error, reading cfp_last_error_message() right after the failing call.
 * For that read to be truthful, no typemap below calls a cfp_ function that records
 * errors: the only library calls made by typemaps are cfp_bytes_size/_data/_destroy.
 *
 * Shapes the target languages see:
 *   opaque handles (cfp_graph *, ...)          Java long        Go uintptr
 *   handle out-params (cfp_graph **out)        Java long[1]     Go *uintptr
 *   scalar out-params (uint32_t *out, ...)     Java T[1]        Go *T
 *   const char **out                           Java String[1]   Go *string
 *   char *buf, size_t cap, size_t *needed      Java String[1]   Go *string
 *   cfp_bytes **out                            Java byte[1][]   Go *[]byte
 *   const void *data, size_t size              Java byte[]      Go []byte
 *   const uint32_t *ids, size_t count          Java int[]       Go []uint32
 *   const int64_t *values, size_t count        Java long[]      Go []int64
 * Java has no unsigned types: uint32_t travels as int and uint64_t as long, bit for bit.
 */

#if defined(SWIGJAVA)
%module CfpNative
#else
%module capi
#endif

/* ==================================================================================== */
/* Functions declared in cfp.h that libcfp does not export yet. Wrapping them would     */
/* leave the generated code with undefined symbols, so a function added to the header   */
/* before its implementation is listed here as `%ignore NAME;` until it lands. The test */
/* bindings_pending_list_matches_library fails when this list and libcfp.so disagree.  */
/* Today every declared function is exported and the list is empty.                     */
/* ==================================================================================== */
#ifndef CFP_SWIG_WRAP_PENDING
/* BEGIN PENDING */
/* END PENDING */
#endif

/* The progress callback is optional for bindings (docs/design.md §10, docs/bindings.md) and a C function pointer
 * into a managed runtime is not worth its cost here. */
%ignore cfp_options_set_progress_callback;
%ignore cfp_progress_fn;

%{
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cfp.h>
%}

/* libcfp targets LP64 platforms, where int64_t is long; SWIG must see the same types so
 * the casts it writes match cfp.h's prototypes. */
#define SWIGWORDSIZE64
%include <stdint.i>

/* ==================================================================================== */
/* Java                                                                                 */
/* ==================================================================================== */
#if defined(SWIGJAVA)

%include <enumtypeunsafe.swg>
%javaconst(1);
/* 0xFFFFFFFFu is C, not Java: the same bits as a Java long. */
%javaconstvalue(0xFFFFFFFFL) CFP_NO_OP;
%javaconstvalue(0xFFFFFFFFL) CFP_NO_TENSOR;
%pragma(java) moduleclassmodifiers = "public final class"
%pragma(java) jniclassclassmodifiers = "final class"
/* The JNI library is found on java.library.path, or named by -Dcfp.jni.library=PATH. */
%pragma(java) jniclasscode = %{
  static {
    String path = System.getProperty("cfp.jni.library");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("cfp_jni");
    }
  }
%}

%{
/* A Java String from UTF-8 bytes. NewStringUTF expects modified UTF-8 and would mangle
 * characters outside the BMP, so decode through String(byte[], "UTF-8"). */
static jstring cfp_jni_utf8(JNIEnv *jenv, const char *s) {
  if (s == NULL) return NULL;
  size_t n = strlen(s);
  if (n > INT_MAX) return NULL;
  jbyteArray bytes = (*jenv)->NewByteArray(jenv, (jsize)n);
  if (bytes == NULL) return NULL;
  (*jenv)->SetByteArrayRegion(jenv, bytes, 0, (jsize)n, (const jbyte *)s);
  jclass string_class = (*jenv)->FindClass(jenv, "java/lang/String");
  if (string_class == NULL) return NULL;
  jmethodID ctor = (*jenv)->GetMethodID(jenv, string_class, "<init>", "([BLjava/lang/String;)V");
  jstring charset = (*jenv)->NewStringUTF(jenv, "UTF-8");
  if (ctor == NULL || charset == NULL) return NULL;
  jstring result = (jstring)(*jenv)->NewObject(jenv, string_class, ctor, bytes, charset);
  (*jenv)->DeleteLocalRef(jenv, bytes);
  (*jenv)->DeleteLocalRef(jenv, charset);
  (*jenv)->DeleteLocalRef(jenv, string_class);
  return result;
}

/* Checks a one-element holder array; throws and returns 0 if it is unusable. */
static int cfp_jni_holder_ok(JNIEnv *jenv, jarray holder) {
  if (holder == NULL || (*jenv)->GetArrayLength(jenv, holder) < 1) {
    SWIG_JavaThrowException(jenv, SWIG_JavaIllegalArgumentException,
                            "out-parameter holder must be an array of at least one element");
    return 0;
  }
  return 1;
}
%}

/* Strings in: encoded as NUL-terminated UTF-8 on the Java side; null stays NULL. */
%typemap(jni) const char * "jbyteArray"
%typemap(jtype) const char * "byte[]"
%typemap(jstype) const char * "String"
%typemap(javain) const char *
  "($javainput == null ? null : ($javainput + \"\\0\").getBytes(java.nio.charset.StandardCharsets.UTF_8))"
%typemap(in) const char * {
  $1 = NULL;
  if ($input) {
    $1 = ($1_ltype)(*jenv)->GetByteArrayElements(jenv, $input, NULL);
    if (!$1) return $null; /* OutOfMemoryError pending */
  }
}
%typemap(freearg) const char * {
  if ($1) (*jenv)->ReleaseByteArrayElements(jenv, $input, (jbyte *)$1, JNI_ABORT);
}
/* Strings out (static or owned by a handle): decoded as UTF-8. */
%typemap(jni) const char *cfp_version_string, const char *cfp_status_string, const char *cfp_last_error_message,
              const char *cfp_op_kind_name, const char *cfp_dtype_name, const char *cfp_tensor_role_name "jstring"
%typemap(jtype) const char *cfp_version_string, const char *cfp_status_string, const char *cfp_last_error_message,
                const char *cfp_op_kind_name, const char *cfp_dtype_name, const char *cfp_tensor_role_name "String"
%typemap(jstype) const char *cfp_version_string, const char *cfp_status_string, const char *cfp_last_error_message,
                 const char *cfp_op_kind_name, const char *cfp_dtype_name, const char *cfp_tensor_role_name "String"
%typemap(javaout) const char *cfp_version_string, const char *cfp_status_string, const char *cfp_last_error_message,
                  const char *cfp_op_kind_name, const char *cfp_dtype_name, const char *cfp_tensor_role_name {
    return $jnicall;
  }
%typemap(out) const char *cfp_version_string, const char *cfp_status_string, const char *cfp_last_error_message,
              const char *cfp_op_kind_name, const char *cfp_dtype_name, const char *cfp_tensor_role_name
  %{ $result = cfp_jni_utf8(jenv, $1); %}

/* uint32_t (ids, counts) as int and uint64_t (bytes) as long, bit for bit. */
%typemap(jni) uint32_t "jint"
%typemap(jtype) uint32_t "int"
%typemap(jstype) uint32_t "int"
%typemap(javain) uint32_t "$javainput"
%typemap(in) uint32_t %{ $1 = (uint32_t)$input; %}
%typemap(jni) uint64_t "jlong"
%typemap(jtype) uint64_t "long"
%typemap(jstype) uint64_t "long"
%typemap(javain) uint64_t "$javainput"
%typemap(in) uint64_t %{ $1 = (uint64_t)$input; %}

/* Opaque handles as long; handle out-parameters as long[1]. */
%define CFP_HANDLE(TYPE)
%typemap(jni) TYPE *, const TYPE * "jlong"
%typemap(jtype) TYPE *, const TYPE * "long"
%typemap(jstype) TYPE *, const TYPE * "long"
%typemap(javain) TYPE *, const TYPE * "$javainput"
%typemap(in) TYPE *, const TYPE * %{ $1 = ($1_ltype)(intptr_t)$input; %}
%typemap(jni) TYPE ** "jlongArray"
%typemap(jtype) TYPE ** "long[]"
%typemap(jstype) TYPE ** "long[]"
%typemap(javain) TYPE ** "$javainput"
%typemap(in) TYPE ** (TYPE *handle = NULL) {
  if (!cfp_jni_holder_ok(jenv, $input)) return $null;
  $1 = &handle;
}
%typemap(argout) TYPE ** {
  jlong value = (jlong)(intptr_t)handle$argnum;
  (*jenv)->SetLongArrayRegion(jenv, $input, 0, 1, &value);
}
%enddef

/* Scalar out-parameters as one-element arrays. */
%define CFP_OUT(CTYPE, JNIARRAY, JNIELEM, JTYPE, SETTER)
%typemap(jni) CTYPE *OUT "JNIARRAY"
%typemap(jtype) CTYPE *OUT "JTYPE[]"
%typemap(jstype) CTYPE *OUT "JTYPE[]"
%typemap(javain) CTYPE *OUT "$javainput"
%typemap(in) CTYPE *OUT ($*1_ltype value) {
  if (!cfp_jni_holder_ok(jenv, $input)) return $null;
  value = ($*1_ltype)0;
  $1 = &value;
}
%typemap(argout) CTYPE *OUT {
  JNIELEM element = (JNIELEM)value$argnum;
  (*jenv)->SETTER(jenv, $input, 0, 1, &element);
}
%enddef
CFP_OUT(uint32_t, jintArray, jint, int, SetIntArrayRegion)
CFP_OUT(int, jintArray, jint, int, SetIntArrayRegion)
CFP_OUT(int64_t, jlongArray, jlong, long, SetLongArrayRegion)
CFP_OUT(uint64_t, jlongArray, jlong, long, SetLongArrayRegion)
CFP_OUT(double, jdoubleArray, jdouble, double, SetDoubleArrayRegion)
CFP_OUT(cfp_op_kind, jintArray, jint, int, SetIntArrayRegion)
CFP_OUT(cfp_dtype, jintArray, jint, int, SetIntArrayRegion)
CFP_OUT(cfp_tensor_role, jintArray, jint, int, SetIntArrayRegion)
CFP_OUT(cfp_phase, jintArray, jint, int, SetIntArrayRegion)
CFP_OUT(cfp_collective_kind, jintArray, jint, int, SetIntArrayRegion)

/* const char **out as String[1]. */
%typemap(jni) const char **OUT "jobjectArray"
%typemap(jtype) const char **OUT "String[]"
%typemap(jstype) const char **OUT "String[]"
%typemap(javain) const char **OUT "$javainput"
%typemap(in) const char **OUT (const char *text = NULL) {
  if (!cfp_jni_holder_ok(jenv, $input)) return $null;
  $1 = ($1_ltype)&text;
}
%typemap(argout) const char **OUT {
  if (text$argnum) {
    jstring s = cfp_jni_utf8(jenv, text$argnum);
    if (s) (*jenv)->SetObjectArrayElement(jenv, $input, 0, s);
  }
}

/* char *buf, size_t cap, size_t *needed as String[1] (see CFP_TEXT_RETRY below). */
%typemap(jni) (char *buf, size_t cap, size_t *needed) "jobjectArray"
%typemap(jtype) (char *buf, size_t cap, size_t *needed) "String[]"
%typemap(jstype) (char *buf, size_t cap, size_t *needed) "String[]"
%typemap(javain) (char *buf, size_t cap, size_t *needed) "$javainput"
%typemap(in) (char *buf, size_t cap, size_t *needed) (char first[256], size_t need = 0) {
  if (!cfp_jni_holder_ok(jenv, $input)) return $null;
  first[0] = '\0';
  $1 = first;
  $2 = sizeof first;
  $3 = &need;
}
%typemap(argout) (char *buf, size_t cap, size_t *needed) {
  if (result == CFP_OK) {
    jstring s = cfp_jni_utf8(jenv, $1);
    if (s) (*jenv)->SetObjectArrayElement(jenv, $input, 0, s);
  }
}
%typemap(freearg) (char *buf, size_t cap, size_t *needed) {
  if ($1 != first$argnum) free($1);
}

/* cfp_bytes **out: the bytes copied into a new byte[] (holder byte[1][]), then freed. */
%typemap(jni) cfp_bytes **out "jobjectArray"
%typemap(jtype) cfp_bytes **out "byte[][]"
%typemap(jstype) cfp_bytes **out "byte[][]"
%typemap(javain) cfp_bytes **out "$javainput"
%typemap(in) cfp_bytes **out (cfp_bytes *bytes = NULL) {
  if (!cfp_jni_holder_ok(jenv, $input)) return $null;
  $1 = &bytes;
}
%typemap(argout) cfp_bytes **out {
  if (bytes$argnum) {
    size_t n = cfp_bytes_size(bytes$argnum);
    if (n > (size_t)INT_MAX) {
      SWIG_JavaThrowException(jenv, SWIG_JavaOutOfMemoryError, "buffer larger than a Java array can hold");
    } else {
      jbyteArray array = (*jenv)->NewByteArray(jenv, (jsize)n);
      if (array) {
        (*jenv)->SetByteArrayRegion(jenv, array, 0, (jsize)n, (const jbyte *)cfp_bytes_data(bytes$argnum));
        (*jenv)->SetObjectArrayElement(jenv, $input, 0, array);
      }
    }
    cfp_bytes_destroy(bytes$argnum);
  }
}

/* Byte buffers in: byte[] (borrowed for the call, as the C API says). */
%typemap(jni) (const void *data, size_t size) "jbyteArray"
%typemap(jtype) (const void *data, size_t size) "byte[]"
%typemap(jstype) (const void *data, size_t size) "byte[]"
%typemap(javain) (const void *data, size_t size) "$javainput"
%typemap(in) (const void *data, size_t size) {
  $1 = NULL;
  $2 = 0;
  if ($input && (*jenv)->GetArrayLength(jenv, $input) > 0) {
    $1 = (*jenv)->GetByteArrayElements(jenv, $input, NULL);
    if (!$1) return $null; /* OutOfMemoryError pending */
    $2 = (size_t)(*jenv)->GetArrayLength(jenv, $input);
  }
}
%typemap(freearg) (const void *data, size_t size) {
  if ($1) (*jenv)->ReleaseByteArrayElements(jenv, $input, (jbyte *)$1, JNI_ABORT);
}

/* Arrays in. */
%define CFP_ARRAY_IN(CTYPE, JNIARRAY, JNIELEM, JTYPE, GET, RELEASE)
%typemap(jni) (const CTYPE *ARRAY, size_t COUNT) "JNIARRAY"
%typemap(jtype) (const CTYPE *ARRAY, size_t COUNT) "JTYPE[]"
%typemap(jstype) (const CTYPE *ARRAY, size_t COUNT) "JTYPE[]"
%typemap(javain) (const CTYPE *ARRAY, size_t COUNT) "$javainput"
%typemap(in) (const CTYPE *ARRAY, size_t COUNT) {
  $1 = NULL;
  $2 = 0;
  if ($input && (*jenv)->GetArrayLength(jenv, $input) > 0) {
    $1 = ($1_ltype)(*jenv)->GET(jenv, $input, NULL);
    if (!$1) return $null; /* OutOfMemoryError pending */
    $2 = (size_t)(*jenv)->GetArrayLength(jenv, $input);
  }
}
%typemap(freearg) (const CTYPE *ARRAY, size_t COUNT) {
  if ($1) (*jenv)->RELEASE(jenv, $input, (JNIELEM *)$1, JNI_ABORT);
}
%enddef
CFP_ARRAY_IN(uint32_t, jintArray, jint, int, GetIntArrayElements, ReleaseIntArrayElements)
CFP_ARRAY_IN(int64_t, jlongArray, jlong, long, GetLongArrayElements, ReleaseLongArrayElements)

/* ==================================================================================== */
/* Go                                                                                   */
/* ==================================================================================== */
#elif defined(SWIGGO)

%insert(cgo_comment_typedefs) %{
#cgo pkg-config: cfp
%}

/* Views of the C-allocated string and slice headers that typemaps below hand to Go. */
%insert(go_header) %{
type cfpCString struct {
	p *byte
	n int
}

type cfpCSlice struct {
	p   *byte
	len int
	cap int
}

// cfpTakeString copies a C-allocated string into Go memory and frees the C copy.
func cfpTakeString(s *string) {
	h := (*cfpCString)(unsafe.Pointer(s))
	if h.p == nil {
		*s = ""
		return
	}
	p := h.p
	*s = string(unsafe.Slice(p, h.n))
	Swig_free(uintptr(unsafe.Pointer(p)))
}

// cfpTakeBytes copies a C-allocated buffer into Go memory and frees the C copy.
func cfpTakeBytes(b *[]byte) {
	h := (*cfpCSlice)(unsafe.Pointer(b))
	if h.p == nil {
		*b = nil
		return
	}
	p := h.p
	out := make([]byte, h.len)
	copy(out, unsafe.Slice(p, h.len))
	*b = out
	Swig_free(uintptr(unsafe.Pointer(p)))
}
%}

%{
typedef struct { char *p; intgo n; } cfp_go_string;
typedef struct { void *p; intgo len; intgo cap; } cfp_go_slice;

/* A malloc'd copy handed to Go, which copies it again into Go memory and frees it. */
static void cfp_go_put_string(void *holder, const char *s) {
  cfp_go_string *h = (cfp_go_string *)holder;
  size_t n = strlen(s);
  h->p = (char *)malloc(n ? n : 1);
  if (h->p == NULL) return;
  memcpy(h->p, s, n);
  h->n = (intgo)n;
}
%}

/* Ids and counts keep their width. */
%typemap(gotype) uint32_t "uint32"

/* Opaque handles as uintptr; handle out-parameters as *uintptr. */
%define CFP_HANDLE(TYPE)
%typemap(gotype) TYPE *, const TYPE * "uintptr"
%typemap(in) TYPE *, const TYPE * %{ $1 = ($1_ltype)$input; %}
%typemap(gotype) TYPE ** "*uintptr"
%typemap(in) TYPE ** %{ $1 = ($1_ltype)$input; %}
%enddef

/* Scalar out-parameters as pointers to Go values of the same size. */
%define CFP_OUT(CTYPE, GOTYPE)
%typemap(gotype) CTYPE *OUT "*GOTYPE"
%typemap(in) CTYPE *OUT %{ $1 = ($1_ltype)$input; %}
%enddef
CFP_OUT(uint32_t, uint32)
CFP_OUT(int, int32)
CFP_OUT(int64_t, int64)
CFP_OUT(uint64_t, uint64)
CFP_OUT(double, float64)
CFP_OUT(cfp_op_kind, int32)
CFP_OUT(cfp_dtype, int32)
CFP_OUT(cfp_tensor_role, int32)
CFP_OUT(cfp_phase, int32)
CFP_OUT(cfp_collective_kind, int32)

/* const char **out as *string. */
%typemap(gotype) const char **OUT "*string"
%typemap(in) const char **OUT (const char *text = NULL) {
  ((cfp_go_string *)$input)->p = NULL;
  ((cfp_go_string *)$input)->n = 0;
  $1 = ($1_ltype)&text;
}
%typemap(argout) const char **OUT %{
  if (text$argnum) cfp_go_put_string($input, text$argnum);
%}
%typemap(goargout) const char **OUT %{ cfpTakeString($1) %}

/* char *buf, size_t cap, size_t *needed as *string (see CFP_TEXT_RETRY below). */
%typemap(gotype) (char *buf, size_t cap, size_t *needed) "*string"
%typemap(in) (char *buf, size_t cap, size_t *needed) (char first[256], size_t need = 0) {
  ((cfp_go_string *)$input)->p = NULL;
  ((cfp_go_string *)$input)->n = 0;
  first[0] = '\0';
  $1 = first;
  $2 = sizeof first;
  $3 = &need;
}
%typemap(argout) (char *buf, size_t cap, size_t *needed) %{
  if (result == CFP_OK) cfp_go_put_string($input, $1);
%}
%typemap(goargout) (char *buf, size_t cap, size_t *needed) %{ cfpTakeString($1) %}
%typemap(freearg) (char *buf, size_t cap, size_t *needed) %{
  if ($1 != first$argnum) free($1);
%}

/* cfp_bytes **out as *[]byte: copied out, then freed. */
%typemap(gotype) cfp_bytes **out "*[]byte"
%typemap(in) cfp_bytes **out (cfp_bytes *bytes = NULL) {
  ((cfp_go_slice *)$input)->p = NULL;
  ((cfp_go_slice *)$input)->len = 0;
  ((cfp_go_slice *)$input)->cap = 0;
  $1 = &bytes;
}
%typemap(argout) cfp_bytes **out {
  if (bytes$argnum) {
    size_t n = cfp_bytes_size(bytes$argnum);
    cfp_go_slice *s = (cfp_go_slice *)$input;
    s->p = malloc(n ? n : 1);
    if (s->p) {
      if (n) memcpy(s->p, cfp_bytes_data(bytes$argnum), n);
      s->len = s->cap = (intgo)n;
    }
    cfp_bytes_destroy(bytes$argnum);
  }
}
%typemap(goargout) cfp_bytes **out %{ cfpTakeBytes($1) %}

/* Byte buffers in: []byte, borrowed for the call (the C API copies what it keeps). */
%typemap(gotype) (const void *data, size_t size) "[]byte"
%typemap(in) (const void *data, size_t size) %{
  $1 = $input.array;
  $2 = (size_t)$input.len;
%}

/* Arrays in. */
%define CFP_ARRAY_IN(CTYPE, GOTYPE)
%typemap(gotype) (const CTYPE *ARRAY, size_t COUNT) "[]GOTYPE"
%typemap(in) (const CTYPE *ARRAY, size_t COUNT) %{
  $1 = ($1_ltype)$input.array;
  $2 = (size_t)$input.len;
%}
%enddef
CFP_ARRAY_IN(uint32_t, uint32)
CFP_ARRAY_IN(int64_t, int64)

#else
#error "cfp.i supports Java and Go; Rust uses bindings/rust/cfp-sys"
#endif

/* ==================================================================================== */
/* Both languages: which parameters of cfp.h take which shape                           */
/* ==================================================================================== */

CFP_HANDLE(cfp_graph)
CFP_HANDLE(cfp_graph_builder)
CFP_HANDLE(cfp_bytes)
CFP_HANDLE(cfp_options)
CFP_HANDLE(cfp_plan)

%apply uint32_t *OUT { uint32_t *out, uint32_t *out_id, uint32_t *tensor, uint32_t *mesh_axes_mask };
%apply int *OUT { int *out };
%apply int64_t *OUT { int64_t *out, int64_t *before_op };
%apply uint64_t *OUT { uint64_t *out, uint64_t *bytes };
%apply double *OUT { double *out, double *time };
%apply cfp_op_kind *OUT { cfp_op_kind *out };
%apply cfp_dtype *OUT { cfp_dtype *out };
%apply cfp_tensor_role *OUT { cfp_tensor_role *out };
%apply cfp_phase *OUT { cfp_phase *out };
%apply cfp_collective_kind *OUT { cfp_collective_kind *kind };
%apply const char **OUT { const char **out };

%apply (const uint32_t *ARRAY, size_t COUNT) {
  (const uint32_t *inputs, size_t input_count),
  (const uint32_t *outputs, size_t output_count),
  (const uint32_t *shape, size_t ndims),
  (const uint32_t *choice_per_op, size_t count)
};
%apply (const int64_t *ARRAY, size_t COUNT) {
  (const int64_t *shape, size_t rank),
  (const int64_t *values, size_t count)
};

/*
 * The text-out functions: the typemap offers a 256-byte buffer; when the library answers
 * CFP_ERR_BUFFER_TOO_SMALL the call is repeated once with the size it asked for. BUF, CAP
 * and NEEDED are the wrapper's names for those three arguments (argN, by position).
 */
%define CFP_TEXT_RETRY(FUNC, BUF, CAP, NEEDED)
%exception FUNC {
  $action
  if (result == CFP_ERR_BUFFER_TOO_SMALL && *NEEDED > CAP) {
    char *grown = (char *)malloc(*NEEDED);
    if (grown) {
      BUF = grown;
      CAP = *NEEDED;
      $action
    }
  }
}
%enddef
CFP_TEXT_RETRY(cfp_op_strategy_describe, arg5, arg6, arg7)
CFP_TEXT_RETRY(cfp_plan_tensor_sharding, arg3, arg4, arg5)
CFP_TEXT_RETRY(cfp_plan_cost_notes, arg2, arg3, arg4)

%include "cfp.h"
