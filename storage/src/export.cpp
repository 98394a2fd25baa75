// Part of store: see store_impl.h.
#include "store_impl.h"
