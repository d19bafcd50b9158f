"""crypt(3) through libcrypt (Python's crypt module is going away)."""
import ctypes
import ctypes.util

_lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
_lib.crypt.restype = ctypes.c_char_p
_lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]


def verify(plain, hashed):
    """True when plain matches the crypt(3) hash."""
    out = _lib.crypt(plain.encode(), hashed.encode())
    return out is not None and out.decode() == hashed


def make(plain):
    """A SHA-512 crypt(3) hash of plain, as auth.c makes them."""
    import os
    import base64
    salt = base64.b64encode(os.urandom(12), b"./").decode()[:16]
    return _lib.crypt(plain.encode(), ("$6$" + salt + "$").encode()).decode()
