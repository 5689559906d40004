"""Small helpers of the Streamlit app that are not Streamlit: the day a profile reads data as of, Xero
sign-ins waiting for their redirect, readable evidence, findings tables, chart figures.

Nothing here imports streamlit (the app's pages do); every function takes and returns plain data, so
notebooks and tests can use them too.
"""
